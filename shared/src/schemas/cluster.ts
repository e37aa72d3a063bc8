import { z } from 'zod';

// What SFU nodes publish over Redis: the load each reports and the SfuApi events it sends to every signaling
// node. (Requests to one node and their replies are @vj/rpc's.) Validated on both ends like every other message.

export const NodeId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

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
