// Signaling at scale: 2,000 socket.io bots across 2 signaling nodes (2 SFU nodes behind them), each doing the
// console's full join handshake (auth, wall:join bringing the capabilities and a receive transport, connect with
// fake DTLS parameters). Then a room change is broadcast to all of them from one node. Baselines from the same run:
// a raw WebSocket connect+echo and a raw WebSocket broadcast to as many clients, and redis-benchmark PUBLISH.
// The bots run in BENCH_BOT_PROCESSES client processes (signaling-bots.ts, at least two), so no one generator's
// event loop is the queue every join waits in.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { WebSocket, WebSocketServer } from 'ws';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { api } from '../test/helpers/api.js';
import { startTestCluster, type TestCluster } from '../test/helpers/cluster.js';
import { connect } from '../test/helpers/sockets.js';
import type { BotsConfig, FromBots, ToBots } from './signaling-bots.js';
import { pool } from './pool.js';
import { percentile, printTable, type Row } from './stats.js';

const BOTS = Number(process.env['BENCH_BOTS'] ?? 2000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 40);
const BOT_PROCESSES = Math.max(2, Number(process.env['BENCH_BOT_PROCESSES'] ?? 2));
const BROADCASTS = 5;

/** One client process of bots; its messages are read in the order it sent them. */
class BotProcess {
  private readonly waiting: ((m: FromBots) => void)[] = [];
  /** Messages that came before anyone asked for them. */
  private readonly inbox: FromBots[] = [];
  private readonly child: ChildProcess;

  constructor(config: BotsConfig) {
    const file = fileURLToPath(new URL('./signaling-bots.ts', import.meta.url));
    this.child = fork(file, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, BOTS_CONFIG: JSON.stringify(config) }, stdio: 'inherit' });
    const deliver = (m: FromBots) => {
      const w = this.waiting.shift();
      if (w) w(m);
      else this.inbox.push(m);
    };
    this.child.on('message', deliver);
    this.child.once('exit', (code) => {
      if (code) deliver({ failed: `bot process exited with ${code}` });
    });
  }

  /** The process's next message; its failure as an error. */
  async next(): Promise<FromBots> {
    const m = this.inbox.shift() ?? (await new Promise<FromBots>((resolve) => this.waiting.push(resolve)));
    if ('failed' in m) throw new Error(m.failed);
    return m;
  }

  tell(m: ToBots): void {
    this.child.send(m);
  }

  stop(): void {
    if (this.child.connected) this.tell({ close: true });
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
  }
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

/**
 * The floor under any socket.io handshake, measured the way the ws baseline is (server and client in this process,
 * as many at a time): a bare socket.io server with no auth and no work, connect plus one acknowledged event.
 */
async function socketIoFloor(): Promise<number[]> {
  const server = createServer();
  const io = new Server(server, { serveClient: false });
  io.on('connection', (s) => s.on('echo', (m: unknown, ack: (m: unknown) => void) => ack(m)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const clients = await pool(BOTS, CONCURRENCY, async () => {
    const t0 = performance.now();
    const socket = ioClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((r, j) => (socket.once('connect', () => r()), socket.once('connect_error', j)));
    await socket.emitWithAck('echo', 'hello');
    return { socket, ms: performance.now() - t0 };
  });
  for (const { socket } of clients) socket.close();
  await io.close();
  return clients.map((c) => c.ms);
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
  // BENCH_CPU_PROF=<dir> writes the signaling nodes' CPU profiles there (node --cpu-prof), to see where a join's time goes.
  const prof = process.env['BENCH_CPU_PROF'];
  // The wall's router takes every viewer's transport: give the SFU nodes room for thousands of ports.
  const cluster: TestCluster = await startTestCluster({
    env: { LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn' },
    sfuEnv: (i) => ({ RTC_MIN_PORT: String(20000 + i * 10000), RTC_MAX_PORT: String(29999 + i * 10000), LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn' }),
    ...(prof ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${prof}`] } : {}),
  });
  const procs: BotProcess[] = [];
  let kiosk: Socket | undefined;
  try {
    const [a, b] = cluster.signaling;
    const login = await api<{ accessToken: string }>(a!.url, 'POST', '/api/auth/login', { body: { username: 'officer1', password: 'officer1-demo' } });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    const token = login.body.accessToken;
    const t0 = performance.now();
    const share = Math.ceil(BOTS / BOT_PROCESSES);
    for (let p = 0; p < BOT_PROCESSES; p++) {
      const first = p * share;
      const count = Math.min(share, BOTS - first);
      procs.push(new BotProcess({ urls: [a!.url, b!.url], token, first, count, concurrency: Math.ceil(CONCURRENCY / BOT_PROCESSES) }));
    }
    const joined = (await Promise.all(procs.map((p) => p.next()))).flatMap((m) => ('joined' in m ? m.joined : []));
    const joinWall = performance.now() - t0;

    // One room's kiosk comes online on node A: every bot gets rooms:state, half of them from the other node.
    const kioskCred = cluster.demoSecrets().kiosks['beishan']!;
    const kioskToken = (await api<{ accessToken: string }>(a!.url, 'POST', '/api/auth/kiosk', { body: { credential: kioskCred } })).body.accessToken;
    const same: number[] = [];
    const cross: number[] = [];
    // The cross-node hop, stamped at both ends: when the room change is on Redis (this process, subscribed to the
    // socket.io adapter's channels as the other node is) and when each of that node's bots has it.
    const hop: number[] = [];
    const tap = new Redis(cluster.redisUrl);
    let onRedis: ((at: number) => void) | undefined;
    tap.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, msg: Buffer) => {
      if (msg.includes('rooms:state') && msg.includes('beishan')) onRedis?.(performance.timeOrigin + performance.now());
    });
    await tap.psubscribe(`${cluster.prefix}socket.io#*`);
    for (let k = 0; k < BROADCASTS; k++) {
      const want = k % 2 === 0 ? 'online' : 'offline';
      for (const p of procs) p.tell({ watch: want });
      await Promise.all(procs.map((p) => p.next()));
      const got = Promise.all(procs.map((p) => p.next()));
      const onRedisAt = new Promise<number>((resolve) => {
        onRedis = (at) => {
          onRedis = undefined;
          resolve(at);
        };
      });
      // Absolute, as the bot processes stamp what they receive.
      const t1 = performance.timeOrigin + performance.now();
      if (want === 'online') kiosk = await connect(a!.url, kioskToken);
      else kiosk?.close();
      const [received, published] = await Promise.all([got, onRedisAt]);
      for (const m of received)
        for (const r of 'got' in m ? m.got : []) {
          (r.node === 0 ? same : cross).push(r.at - t1);
          if (r.node === 1) hop.push(r.at - published);
        }
    }
    tap.disconnect();
    const ws = await wsBaseline();
    const sio = await socketIoFloor();
    const pub = redisPublish(cluster.redisUrl);
    const rows: Row[] = [
      {
        metric: 'join p50 (vs ws connect+echo)',
        ours: percentile(
          joined.map((x) => x.ms),
          50,
        ),
        baseline: percentile(ws.join, 50),
        unit: 'ms',
      },
      {
        metric: 'join p99 (vs ws connect+echo)',
        ours: percentile(
          joined.map((x) => x.ms),
          99,
        ),
        baseline: percentile(ws.join, 99),
        unit: 'ms',
      },
      // How much of the ratio any socket.io handshake would take, whatever it does after connecting.
      { metric: 'bare socket.io connect+ack p99 (vs ws)', ours: percentile(sio, 99), baseline: percentile(ws.join, 99), unit: 'ms' },
      {
        metric: 'join p99 (vs bare socket.io)',
        ours: percentile(
          joined.map((x) => x.ms),
          99,
        ),
        baseline: percentile(sio, 99),
        unit: 'ms',
      },
      { metric: 'broadcast same-node p50', ours: percentile(same, 50), baseline: percentile(ws.fanout, 50), unit: 'ms' },
      { metric: 'broadcast cross-node p50', ours: percentile(cross, 50), baseline: percentile(ws.fanout, 50), unit: 'ms' },
      { metric: 'broadcast cross-node p99', ours: percentile(cross, 99), baseline: percentile(ws.fanout, 99), unit: 'ms' },
      // The hop, stamped at both ends: from the change on Redis to each of the other node's bots having it (the
      // node's adapter, then its fan-out), against a raw server's fan-out to as many clients.
      { metric: 'cross-node: Redis → bot p50', ours: percentile(hop, 50), baseline: percentile(ws.fanout, 50), unit: 'ms' },
      { metric: 'cross-node: Redis → bot p99', ours: percentile(hop, 99), baseline: percentile(ws.fanout, 99), unit: 'ms' },
    ];
    printTable(
      `signaling: ${BOTS} socket.io bots on 2 signaling nodes`,
      rows,
      `bots in ${BOT_PROCESSES} client processes; all ${BOTS} joined in ${(joinWall / 1000).toFixed(1)} s (${(BOTS / (joinWall / 1000)).toFixed(0)} joins/s); broadcast latency counts from the kiosk's connect (it includes its handshake); ` +
        `baselines: raw ws connect+echo and ws fan-out to ${BOTS} clients (a node's own fan-out is to half of them), redis-benchmark PUBLISH ${pub.rps.toFixed(0)}/s p50 ${pub.p50} ms p99 ${pub.p99} ms, all this run`,
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
    for (const p of procs) p.stop();
    kiosk?.close();
    await cluster.stop();
  }
}
