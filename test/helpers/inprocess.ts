import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startServer, type RunningServer } from '@vj/signaling';
import { adminDatabaseUrl, createTestDatabase } from './services.js';

export interface InProcessServer {
  url: string;
  server: RunningServer;
  logs: string[];
  dataDir: string;
  databaseUrl: string | undefined;
  stop(): Promise<void>;
}

/**
 * The real server in this process: tests can read its database directly (fingerprints, canaries) and every
 * log line it writes. Uses the real PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
 */
export async function startInProcess(env: Record<string, string> = {}): Promise<InProcessServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-inproc-'));
  const db = adminDatabaseUrl ? await createTestDatabase() : undefined;
  const logs: string[] = [];
  const config = loadConfig({
    VJ_MODE: 'demo',
    PORT: '0',
    DATA_DIR: dataDir,
    SFU_WORKERS: '1',
    VJ_BANNER: '0',
    LOG_LEVEL: 'debug',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...env,
  });
  const server = await startServer(config, (line) => logs.push(line));
  return {
    url: `http://127.0.0.1:${server.port}`,
    server,
    logs,
    dataDir,
    databaseUrl: db?.url,
    stop: async () => {
      await server.close();
      await db?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
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
