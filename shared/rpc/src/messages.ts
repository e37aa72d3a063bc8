import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '@vj/shared';

// A request to one node and its reply, validated on both ends like every other message.

const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

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
