import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

// Messages between nodes over Redis: requests to one node (SFU commands, a session's owner), their replies,
// and the load each SFU node reports. Validated on both ends like every other message.

const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const NodeId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const RpcRequest = z.object({
  id: z.uuid(),
  method: z.string().min(1).max(64),
  params: z.unknown(),
  /** The requester's reply channel. */
  replyTo: z.string().min(1).max(200),
  /** Epoch ms after which nobody waits for the answer: a node behind on its queue skips it. */
  deadline: z.number().int(),
});
export type RpcRequest = z.infer<typeof RpcRequest>;

export const RpcReply = z.discriminatedUnion('ok', [
  z.object({ id: z.uuid(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.uuid(), ok: z.literal(false), error: z.object({ code: ErrorCodeSchema, message: z.string().max(500) }) }),
]);
export type RpcReply = z.infer<typeof RpcReply>;

/** What an SFU node puts in the registry on every heartbeat. */
export const SfuNodeInfo = z.object({
  nodeId: NodeId,
  pid: z.number().int(),
  workers: z.number().int(),
  routers: z.number().int(),
  transports: z.number().int(),
  consumers: z.number().int(),
  /** Placement weight: lower is emptier. */
  load: z.number(),
  at: z.number().int(),
});
export type SfuNodeInfo = z.infer<typeof SfuNodeInfo>;

/** An SfuApi event as one node publishes it to every signaling node. */
export const SfuEventEnvelope = z.object({ nodeId: NodeId, event: z.string().min(1).max(64), payload: z.unknown() });
