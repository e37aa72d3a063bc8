// Server-side code both servers share (signaling and the SFU): Node only, never imported by a browser app.
export { RedisRpc, type RpcHandler } from './redis-rpc.js';
