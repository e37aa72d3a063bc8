import net from 'node:net';
import { freePort, startTestServer, type TestServer } from './server.js';
import { adminDatabaseUrl, redisUrl, testRedis, uniqueName } from './services.js';
import { startSfuPair, type SfuNodeProc } from './sfu-nodes.js';

/**
 * A TCP front for the signaling nodes, like the load balancer of a real deployment: each new connection goes
 * to the next node that accepts it, so a client whose node dies reconnects to a live one. Sockets use only
 * the WebSocket transport, so no stickiness is needed.
 */
export async function startFront(backends: () => number[]): Promise<{ port: number; prefer(port: number | undefined): void; close(): Promise<void> }> {
  let next = 0;
  let preferred: number | undefined;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.pause();
    const live = backends();
    // A test can steer new connections to one node while it is up (to know which node a client is on).
    const ports = preferred !== undefined && live.includes(preferred) ? [preferred, ...live.filter((p) => p !== preferred)] : live;
    const tryAt = (attempt: number): void => {
      if (attempt >= ports.length) return void client.destroy();
      const port = preferred !== undefined && ports[0] === preferred ? ports[attempt]! : ports[(next + attempt) % ports.length]!;
      const upstream = net.connect(port, '127.0.0.1');
      upstream.once('connect', () => {
        next = (next + attempt + 1) % Math.max(1, ports.length);
        open.add(upstream);
        upstream.on('close', () => (open.delete(upstream), client.destroy()));
        client.on('close', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
      upstream.once('error', () => tryAt(attempt + 1));
    };
    tryAt(0);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    prefer: (p) => (preferred = p),
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const CLUSTER_NEEDS_POSTGRES =
  'a cluster of signaling nodes needs a PostgreSQL server (DATABASE_URL): they must never share one embedded PGlite directory';

export interface TestCluster extends TestServer {
  /** Signaling node i runs as NODE_ID `${tag}-sig-${i}`. */
  tag: string;
  signaling: TestServer[];
  sfu: SfuNodeProc[];
  prefix: string;
  redisUrl: string;
  /** New connections through the front go to this node first while it runs (undefined: round robin). */
  preferNode(node: TestServer | undefined): void;
  /** Starts a replacement signaling node on the same database and data. */
  addSignaling(): Promise<TestServer>;
}

/**
 * 2 signaling + 2 SFU nodes as separate processes on this machine, with the real Redis and PostgreSQL, behind
 * one front port. It stands in for the single server wherever a test takes a TestServer.
 */
export async function startTestCluster(
  opts: {
    env?: Record<string, string>;
    redis?: { url: string; stop(): Promise<void> };
    sfuEnv?: (i: number) => Record<string, string>;
    /** Node flags for the signaling nodes (a benchmark's --cpu-prof). */
    nodeArgs?: string[];
  } = {},
): Promise<TestCluster> {
  // Embedded PGlite is one process's database: a second node on the same directory corrupts it. `npm test`
  // always provides a PostgreSQL server (global-services.ts), so this only stops a run that opted out of it.
  if (!adminDatabaseUrl) throw new Error(CLUSTER_NEEDS_POSTGRES);
  const redis = opts.redis ?? (redisUrl ? { url: redisUrl, stop: async () => {} } : await testRedis());
  const prefix = `${uniqueName('cl')}:`;
  const sfu = await startSfuPair(redis.url, prefix, 44000, opts.sfuEnv);
  // What makes a node one of this cluster's: no test's own env (a restart's included) may override it.
  const membership = { REDIS_URL: redis.url, REDIS_PREFIX: prefix, VJ_TOPOLOGY: 'cluster' };
  const env = { ...opts.env, ...membership };
  const tag = prefix.replace(/[^A-Za-z0-9_-]/g, '');
  const nodeArgs = opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {};
  const first = await startTestServer({ env: { ...env, NODE_ID: `${tag}-sig-0` }, ...nodeArgs });
  const signaling: TestServer[] = [first];
  const addSignaling = async (extraEnv: Record<string, string> = {}) => {
    if (!first.databaseUrl) throw new Error(CLUSTER_NEEDS_POSTGRES);
    const nodeEnv = { ...env, ...extraEnv, ...membership, NODE_ID: `${tag}-sig-${signaling.length}` };
    const s = await startTestServer({ env: nodeEnv, reuse: { dataDir: first.dataDir, databaseUrl: first.databaseUrl, port: await freePort() }, ...nodeArgs });
    signaling.push(s);
    return s;
  };
  await addSignaling();
  const front = await startFront(() => signaling.filter(running).map((s) => s.port));
  const cluster: TestCluster = {
    ...first,
    url: `http://127.0.0.1:${front.port}`,
    port: front.port,
    tag,
    signaling,
    sfu,
    prefix,
    redisUrl: redis.url,
    addSignaling,
    preferNode: (node) => front.prefer(node?.port),
    kill: async () => {
      for (const s of signaling) await s.kill();
    },
    stop: async () => {
      restarts.delete(front.port);
      await front.close();
      for (const s of signaling.slice(1)) await s.stop();
      for (const n of sfu) await n.stop();
      await first.stop();
      await redis.stop();
    },
  };
  // Every signaling node's lines, read fresh each time.
  Object.defineProperty(cluster, 'logs', { get: () => signaling.flatMap((s) => s.logs) });
  restarts.set(front.port, async (extraEnv) => {
    // A restart replaces every signaling process behind the front: one still running (a test may have
    // stopped or killed only the node it held) is stopped first, as a deployment's restart would.
    for (const s of signaling) if (running(s)) await terminate(s);
    const fresh = [await addSignaling(extraEnv), await addSignaling(extraEnv)];
    const again: TestServer = {
      ...fresh[0]!,
      url: cluster.url,
      port: front.port,
      kill: async () => {
        for (const s of fresh) await s.kill();
      },
      stop: async () => {
        for (const s of fresh) await s.stop();
      },
    };
    Object.defineProperty(again, 'logs', { get: () => fresh.flatMap((s) => s.logs) });
    return again;
  });
  return cluster;
}

/** Live clusters by front port: `startTestServer({ reuse })` on that port restarts the cluster's signaling nodes. */
const restarts = new Map<number, (extraEnv: Record<string, string> | undefined) => Promise<TestServer>>();

/** The restart of the cluster whose front listens on `port`, if a live one does. */
export function clusterRestartAt(port: number): ((extraEnv: Record<string, string> | undefined) => Promise<TestServer>) | undefined {
  return restarts.get(port);
}

const running = (s: TestServer) => s.proc.exitCode === null && s.proc.signalCode === null;

/** SIGTERM and wait, leaving the node's data and database in place (its own stop() may drop them). */
async function terminate(s: TestServer): Promise<void> {
  const exited = new Promise((resolve) => s.proc.once('exit', resolve));
  s.proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  if (running(s)) await s.kill();
}
