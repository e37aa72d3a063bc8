// Request and reply between server nodes over Redis: Node only, never imported by a browser app.
export { RedisRpc, type RpcHandler } from './redis-rpc.js';
export { RpcTimeoutError } from './rpc-timeout.js';
export { RpcReply, RpcRequest } from './messages.js';
export { connectRedisPair, connectRedisTrio, quitRedis, type RedisPair } from './redis-connection.js';
export { NodeId, RedisPrefix, newNodeId } from './node-id.js';
