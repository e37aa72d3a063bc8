// Signaling at scale: 2,000 socket.io bots across 2 signaling nodes (2 SFU nodes behind them), each doing the
// console's full join handshake (auth, wall:join, rtc:capabilities, a receive transport, connect with fake
// DTLS parameters). Then a room change is broadcast to all of them from one node. Baselines from the same run:
// a raw WebSocket connect+echo and a raw WebSocket broadcast to as many clients, and redis-benchmark PUBLISH.
import { spawnSync } from 'node:child_process';
import { WebSocket, WebSocketServer } from 'ws';
import type { Socket } from 'socket.io-client';
import { api } from '../test/helpers/api.js';
import { startTestCluster, type TestCluster } from '../test/helpers/cluster.js';
import { connect, send } from '../test/helpers/sockets.js';
import { percentile, printTable, type Row } from './stats.js';

const BOTS = Number(process.env['BENCH_BOTS'] ?? 2000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 40);
const BROADCASTS = 5;
const FAKE_DTLS = { role: 'client' as const, fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }] };

async function pool<T>(n: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}

async function botJoin(url: string, token: string): Promise<{ socket: Socket; ms: number }> {
  const t0 = performance.now();
  const socket = await connect(url, token);
  const wall = await send(socket, 'wall:join', {});
  if (!wall.ok) throw new Error(`wall:join refused: ${wall.error.code}`);
  const sessionId = wall.data.sessionId;
  const caps = await send(socket, 'rtc:capabilities', { sessionId });
  if (!caps.ok) throw new Error(`rtc:capabilities refused: ${caps.error.code}`);
  const t = await send(socket, 'rtc:createTransport', { sessionId, direction: 'recv' });
  if (!t.ok) throw new Error(`rtc:createTransport refused: ${t.error.code}`);
  const c = await send(socket, 'rtc:connectTransport', { sessionId, transportId: t.data.id, dtlsParameters: FAKE_DTLS });
  if (!c.ok) throw new Error(`rtc:connectTransport refused: ${c.error.code} ${c.error.message} (${url})`);
  return { socket, ms: performance.now() - t0 };
}

/** Raw WebSocket floor: connect plus one echo per client, then one server broadcast to every client. */
async function wsBaseline(): Promise<{ join: number[]; fanout: number[] }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
  await new Promise<void>((r) => server.once('listening', () => r()));
  const port = (server.address() as { port: number }).port;
  const clients = await pool(BOTS, CONCURRENCY, async () => {
    const t0 = performance.now();
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise<void>((r, j) => (ws.once('open', () => r()), ws.once('error', j)));
    await new Promise<void>((r) => (ws.once('message', () => r()), ws.send('hello')));
    return { ws, ms: performance.now() - t0 };
  });
  const fanout: number[] = [];
  for (let b = 0; b < BROADCASTS; b++) {
    const got = clients.map(({ ws }) => new Promise<number>((r) => ws.once('message', () => r(performance.now()))));
    const t0 = performance.now();
    for (const ws of server.clients) ws.send(`broadcast ${b}`);
    fanout.push(...(await Promise.all(got)).map((t) => t - t0));
  }
  for (const { ws } of clients) ws.terminate();
  await new Promise<void>((r) => server.close(() => r()));
  return { join: clients.map((c) => c.ms), fanout };
}

function redisPublish(url: string): { p50: number; p99: number; rps: number } {
  const u = new URL(url);
  const r = spawnSync('redis-benchmark', ['-h', u.hostname, '-p', u.port || '6379', '-n', '50000', '-c', '50', '-q', '--csv', 'PUBLISH', 'vj-bench', 'x'], {
    encoding: 'utf8',
  });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  const f = line.split(',').map((x) => x.replaceAll('"', ''));
  if (f.length < 7) throw new Error(`redis-benchmark gave no figures: ${r.stderr || r.stdout}`);
  return { rps: Number(f[1]), p50: Number(f[4]), p99: Number(f[6]) };
}

export async function runSignalingBench(): Promise<Record<string, number>> {
  if (!process.env['DATABASE_URL']) throw new Error('the signaling benchmark needs DATABASE_URL (PostgreSQL shared by its nodes)');
  console.log(`\n[signaling] ${BOTS} bots, ${CONCURRENCY} joining at a time, on 2 signaling + 2 SFU nodes…`);
  // The wall's router takes every viewer's transport: give the SFU nodes room for thousands of ports.
  const cluster: TestCluster = await startTestCluster({
    env: { LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn' },
    sfuEnv: (i) => ({ RTC_MIN_PORT: String(20000 + i * 10000), RTC_MAX_PORT: String(29999 + i * 10000), LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn' }),
  });
  const bots: { socket: Socket; node: number; ms: number }[] = [];
  let kiosk: Socket | undefined;
  try {
    const [a, b] = cluster.signaling;
    const login = await api<{ accessToken: string }>(a!.url, 'POST', '/api/auth/login', { body: { username: 'officer1', password: 'officer1-demo' } });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    const token = login.body.accessToken;
    const t0 = performance.now();
    const joined = await pool(BOTS, CONCURRENCY, async (i) => ({ ...(await botJoin((i % 2 ? b : a)!.url, token)), node: i % 2 }));
    bots.push(...joined);
    const joinWall = performance.now() - t0;

    // One room's kiosk comes online on node A: every bot gets rooms:state, half of them from the other node.
    const kioskCred = cluster.demoSecrets().kiosks['beishan']!;
    const kioskToken = (await api<{ accessToken: string }>(a!.url, 'POST', '/api/auth/kiosk', { body: { credential: kioskCred } })).body.accessToken;
    const same: number[] = [];
    const cross: number[] = [];
    for (let k = 0; k < BROADCASTS; k++) {
      const want = k % 2 === 0 ? 'online' : 'offline';
      const got = bots.map(
        ({ socket, node }) =>
          new Promise<{ t: number; node: number }>((resolve) => {
            const on = (v: { code: string; state: string }) => {
              if (v.code !== 'beishan' || v.state !== want) return;
              socket.off('rooms:state', on);
              resolve({ t: performance.now(), node });
            };
            socket.on('rooms:state', on);
          }),
      );
      const t1 = performance.now();
      if (want === 'online') kiosk = await connect(a!.url, kioskToken);
      else kiosk?.close();
      for (const r of await Promise.all(got)) (r.node === 0 ? same : cross).push(r.t - t1);
    }
    const ws = await wsBaseline();
    const pub = redisPublish(cluster.redisUrl);
    const rows: Row[] = [
      {
        metric: 'join p50 (vs ws connect+echo)',
        ours: percentile(
          bots.map((x) => x.ms),
          50,
        ),
        baseline: percentile(ws.join, 50),
        unit: 'ms',
      },
      {
        metric: 'join p99 (vs ws connect+echo)',
        ours: percentile(
          bots.map((x) => x.ms),
          99,
        ),
        baseline: percentile(ws.join, 99),
        unit: 'ms',
      },
      { metric: 'broadcast same-node p50', ours: percentile(same, 50), baseline: percentile(ws.fanout, 50), unit: 'ms' },
      { metric: 'broadcast cross-node p50', ours: percentile(cross, 50), baseline: percentile(ws.fanout, 50), unit: 'ms' },
      { metric: 'broadcast cross-node p99', ours: percentile(cross, 99), baseline: percentile(ws.fanout, 99), unit: 'ms' },
      // What the cross-node hop adds, against one Redis PUBLISH (the hop's floor).
      { metric: 'cross-node hop vs PUBLISH', ours: percentile(cross, 50) - percentile(same, 50), baseline: pub.p50, unit: 'ms' },
    ];
    printTable(
      `signaling: ${BOTS} socket.io bots on 2 signaling nodes`,
      rows,
      `all ${BOTS} joined in ${(joinWall / 1000).toFixed(1)} s (${(BOTS / (joinWall / 1000)).toFixed(0)} joins/s); broadcast latency counts from the kiosk's connect (it includes its handshake); ` +
        `baselines: raw ws connect+echo and ws fan-out to ${BOTS} clients, redis-benchmark PUBLISH ${pub.rps.toFixed(0)}/s p50 ${pub.p50} ms p99 ${pub.p99} ms, all this run`,
    );
    const sup = (await api<{ accessToken: string }>(a!.url, 'POST', '/api/auth/login', { body: { username: 'supervisor', password: 'supervisor-demo' } })).body
      .accessToken;
    const d = (await api<{ transports: number }>(a!.url, 'GET', '/api/admin/sfu', { token: sup })).body;
    console.log(`[signaling] SFU holds ${d.transports} transports for ${BOTS} bots`);
    return Object.fromEntries(rows.map((r) => [r.metric, r.ours]));
  } catch (err) {
    if (process.env['BENCH_LOG_LEVEL']) {
      console.log(
        cluster.logs
          .filter((l) => /refused|wall|warn|error/.test(l))
          .slice(-10)
          .join('\n'),
      );
      console.log(
        cluster.sfu
          .flatMap((n) => n.logs)
          .filter((l) => /router created|media closed/.test(l))
          .join('\n'),
      );
    }
    throw err;
  } finally {
    for (const bot of bots) bot.socket.close();
    kiosk?.close();
    await cluster.stop();
  }
}
