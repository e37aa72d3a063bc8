import os from 'node:os';
import { z } from 'zod';

/** A node's name in Redis (its RPC channel, its registry and ownership entries): set by SFU_NODE_ID or NODE_ID. */
export const NodeId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** Namespace for every Redis key and channel, so several deployments (or test runs) can share one Redis. */
export const RedisPrefix = z
  .string()
  .regex(/^[A-Za-z0-9:_-]{1,40}$/)
  .default('vj:');

/**
 * A fresh name for a node started without one: its kind, the host (so an operator reading Redis knows where it
 * runs) and a random part (so two nodes on one host, or a restart, never share a name).
 */
export function newNodeId(kind: 'sig' | 'sfu', hostname = os.hostname()): string {
  const host = hostname.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40);
  return NodeId.parse(`${kind}-${host}-${crypto.randomUUID().slice(0, 8)}`);
}
