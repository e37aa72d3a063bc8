import { createLogger } from '@vj/shared';
import { migrate, openPostgres, type Db } from '@vj/signaling';
import { createTestDatabase } from '../test/helpers/services.js';

export const benchLog = createLogger('bench', 'warn');

/** A fresh, migrated database on the real PostgreSQL (this machine's, unless set) for one benchmark, dropped after. */
export async function withBenchDatabase<T>(run: (db: Db) => Promise<T>): Promise<T> {
  process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
  const t = await createTestDatabase(process.env['DATABASE_URL']);
  const db = await openPostgres(t.url, benchLog);
  try {
    await migrate(db, benchLog);
    return await run(db);
  } finally {
    await db.close();
    await t.drop();
  }
}
