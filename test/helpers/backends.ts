import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@vj/shared';
import { IntegrityKeys, migrate, openEmbedded, openPostgres, type Db } from '@vj/signaling';
import { adminDatabaseUrl, createTestDatabase } from './services.js';

export const quietLog = createLogger('test', 'error', () => {});

export interface Backend {
  name: string;
  open(): Promise<{ db: Db; cleanup(): Promise<void> }>;
}

/** Both databases the same SQL must run on: embedded PGlite always, PostgreSQL whenever DATABASE_URL is set. */
export const backends: Backend[] = [
  {
    name: 'PGlite (embedded)',
    open: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-pglite-'));
      const db = await openEmbedded(dir, quietLog);
      return { db, cleanup: async () => (await db.close(), fs.rmSync(dir, { recursive: true, force: true })) };
    },
  },
  ...(adminDatabaseUrl
    ? [
        {
          name: 'PostgreSQL server',
          open: async () => {
            const t = await createTestDatabase();
            const db = await openPostgres(t.url, quietLog);
            return { db, cleanup: async () => (await db.close(), await t.drop()) };
          },
        },
      ]
    : []),
];

/** Migrated, with throwaway integrity keys loaded (as the server does at start-up), so audited writes work. */
export async function migrated(b: Backend) {
  const h = await b.open();
  await migrate(h.db, quietLog);
  h.db.integrity = IntegrityKeys.ephemeral();
  return h;
}
