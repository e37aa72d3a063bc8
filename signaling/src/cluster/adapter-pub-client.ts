import type { Redis } from 'ioredis';
import { errorFields, type Logger } from '@vj/shared';

/**
 * The Redis client the socket.io adapter publishes with. The adapter publishes every cross-node broadcast and drops
 * the promise, so a push sent while Redis is away (a restart, a failover, a node stopping) failed as an unhandled
 * rejection. Here each such failure is logged instead: that push is lost to the other nodes' sockets (this node's
 * own still get it), as a push is during any outage, and the state it carried is sent again with its next change
 * and in full to every console that reconnects. Everything else goes to the client itself.
 */
export function adapterPubClient(pub: Redis, log: Logger): Redis {
  const publish = (channel: string | Buffer, message: string | Buffer) =>
    pub.publish(channel, message).catch((err: unknown) => {
      log.warn('socket broadcast not published to the other nodes', errorFields(err));
      return 0;
    });
  return new Proxy(pub, {
    get(target, prop) {
      if (prop === 'publish') return publish;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
