// One client process of the signaling benchmark (signaling.ts forks several): its share of the bots, each doing
// the console's full join handshake, then listening for the room changes the parent sets off. Bots in more than
// one process, so the generator's own event loop is not the one queue every join waits in.
//
// Messages from the parent: { watch: state } (listen for beishan going `state`; answered { ready }), { close }.
// To the parent: { joined: [{ ms, node }] }, { ready: true }, { got: [{ at, node }] } with `at` an absolute time
// (performance.timeOrigin + now), comparable across processes on one machine.
import type { Socket } from 'socket.io-client';
import { connect, send } from '../test/helpers/sockets.js';
import { pool } from './pool.js';

const FAKE_DTLS = { role: 'client' as const, fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }] };

export interface BotsConfig {
  urls: string[];
  token: string;
  /** This process's bots: the global indexes from `first`, `count` of them; bot i joins node i % urls.length. */
  first: number;
  count: number;
  concurrency: number;
}

export type FromBots = { joined: { ms: number; node: number }[] } | { ready: true } | { got: { at: number; node: number }[] } | { failed: string };
export type ToBots = { watch: 'online' | 'offline' } | { close: true };

const now = () => performance.timeOrigin + performance.now();

async function botJoin(url: string, token: string): Promise<{ socket: Socket; ms: number }> {
  const t0 = performance.now();
  const socket = await connect(url, token);
  const wall = await send(socket, 'wall:join', {});
  if (!wall.ok) throw new Error(`wall:join refused: ${wall.error.code}`);
  // The join brings the wall's capabilities and this bot's receive transport, as it does the console's.
  const { sessionId, transport } = wall.data;
  const c = await send(socket, 'rtc:connectTransport', { sessionId, transportId: transport.id, dtlsParameters: FAKE_DTLS });
  if (!c.ok) throw new Error(`rtc:connectTransport refused: ${c.error.code} ${c.error.message} (${url})`);
  return { socket, ms: performance.now() - t0 };
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env['BOTS_CONFIG'] ?? '{}') as BotsConfig;
  const reply = (m: FromBots) => process.send?.(m);
  const bots = await pool(cfg.count, cfg.concurrency, async (j) => {
    const node = (cfg.first + j) % cfg.urls.length;
    return { ...(await botJoin(cfg.urls[node]!, cfg.token)), node };
  });
  reply({ joined: bots.map(({ ms, node }) => ({ ms, node })) });
  process.on('message', (m: ToBots) => {
    if ('close' in m) {
      for (const b of bots) b.socket.close();
      process.exit(0);
    }
    const got = bots.map(
      ({ socket, node }) =>
        new Promise<{ at: number; node: number }>((resolve) => {
          const on = (v: { code: string; state: string }) => {
            if (v.code !== 'beishan' || v.state !== m.watch) return;
            socket.off('rooms:state', on);
            resolve({ at: now(), node });
          };
          socket.on('rooms:state', on);
        }),
    );
    reply({ ready: true });
    void Promise.all(got).then((g) => reply({ got: g }));
  });
}

main().catch((err: unknown) => {
  process.send?.({ failed: err instanceof Error ? err.message : String(err) } satisfies FromBots);
  process.exit(1);
});
