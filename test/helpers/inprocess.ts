import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startServer, type RunningServer } from '@vj/signaling';
import { adminDatabaseUrl, createTestDatabase } from './services.js';

export interface InProcessServer {
  url: string;
  /** VJ_TOPOLOGY=cluster: the other signaling node's own address (sockets there are that node's to serve). */
  otherUrl: string | undefined;
  server: RunningServer;
  logs: string[];
  dataDir: string;
  databaseUrl: string | undefined;
  /** A normal stop and a new start on the same data, database and port (open calls are kept for the new process); single topology only. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real server in this process: tests can read its database directly (fingerprints, canaries) and every
 * log line it writes. Uses the real PostgreSQL at DATABASE_URL (set for every `npm test` run), embedded PGlite
 * only when a run opts out of it (VJ_TEST_DB=embedded).
 */
export async function startInProcess(env: Record<string, string> = {}): Promise<InProcessServer> {
  // Never silently one node: on PGlite the other node would have to open this process's embedded database.
  if (process.env['VJ_TOPOLOGY'] === 'cluster' && !adminDatabaseUrl) {
    const { CLUSTER_NEEDS_POSTGRES } = await import('./cluster.js');
    throw new Error(CLUSTER_NEEDS_POSTGRES);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-inproc-'));
  const db = adminDatabaseUrl ? await createTestDatabase() : undefined;
  const logs: string[] = [];
  // VJ_TOPOLOGY=cluster: this process is one of 2 signaling nodes, with 2 SFU node processes behind Redis.
  const cluster = process.env['VJ_TOPOLOGY'] === 'cluster' && db ? await startClusterAround(dataDir, db.url) : undefined;
  const config = loadConfig({
    VJ_MODE: 'demo',
    PORT: '0',
    DATA_DIR: dataDir,
    SFU_WORKERS: '1',
    VJ_BANNER: '0',
    ...(env['VJ_MODE'] === 'production' ? {} : { DEMO_SECOND_FACTOR: 'off' }), // as in server.ts
    KIOSK_SELF_CHECK: 'off', // as in server.ts
    DEMO_COUNTY: 'off', // as in server.ts
    LOG_LEVEL: 'debug',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...(cluster?.env ?? {}),
    ...env,
  });
  let server = await startServer(config, (line) => logs.push(line));
  await cluster?.startOther();
  return {
    url: `http://127.0.0.1:${server.port}`,
    get otherUrl() {
      return cluster?.url();
    },
    get server() {
      return server;
    },
    logs,
    dataDir,
    databaseUrl: db?.url,
    restart: async () => {
      if (cluster) throw new Error('restart() is for the single topology');
      const port = server.port;
      await server.close();
      server = await startServer({ ...config, port }, (line) => logs.push(line));
    },
    stop: async () => {
      await server.close();
      await cluster?.stop();
      await db?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The rest of a cluster for an in-process node: a second signaling node and two SFU nodes, as processes. */
async function startClusterAround(
  dataDir: string,
  databaseUrl: string,
): Promise<{ env: Record<string, string>; startOther(): Promise<void>; url(): string | undefined; stop(): Promise<void> }> {
  const { freePort, startTestServer } = await import('./server.js');
  const { startSfuPair } = await import('./sfu-nodes.js');
  const { redisUrl, uniqueName } = await import('./services.js');
  if (!redisUrl) throw new Error('the cluster topology needs REDIS_URL');
  const prefix = `${uniqueName('ip')}:`;
  const tag = prefix.replace(/[^A-Za-z0-9_-]/g, '');
  const sfu = await startSfuPair(redisUrl, prefix, 46000);
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, VJ_TOPOLOGY: 'cluster', NODE_ID: `${tag}-sig-0` };
  let other: Awaited<ReturnType<typeof startTestServer>> | undefined;
  return {
    env,
    // The other signaling node starts once this one has migrated and seeded the database.
    startOther: async () => {
      other = await startTestServer({ env: { ...env, NODE_ID: `${tag}-sig-1` }, reuse: { dataDir, databaseUrl, port: await freePort() } });
    },
    url: () => other?.url,
    stop: async () => {
      await other?.stop();
      for (const n of sfu) await n.stop();
    },
  };
}

/** Row counts of every table plus the audit head: equal fingerprints mean nothing was written. */
export async function dbFingerprint(s: InProcessServer): Promise<string> {
  const tables = await s.server.db.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const parts: string[] = [];
  for (const { tablename } of tables.rows) {
    const r = await s.server.db.query<{ n: string }>(`SELECT count(*) AS n FROM "${tablename}"`);
    parts.push(`${tablename}=${r.rows[0]!.n}`);
  }
  const head = await s.server.db.query<{ seq: string }>('SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1');
  parts.push(`audit_head=${head.rows[0]?.seq ?? 0}`);
  return parts.join(' ');
}
