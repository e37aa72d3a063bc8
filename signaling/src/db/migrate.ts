import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@vj/shared';
import type { Db } from './db.js';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

/** Arbitrary constant: the advisory lock that keeps two nodes from migrating at once. */
const MIGRATION_LOCK = 730_412_001;

export function listMigrations(dir = MIGRATIONS_DIR): { version: string; file: string }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.slice(0, 4), file: path.join(dir, f) }));
}

/**
 * Applies pending migrations, each in its own transaction. The same SQL files run on PGlite and on
 * PostgreSQL 15, so they stick to what 15 accepts.
 */
export async function migrate(db: Db, log: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  // Checked first: a server running as the least-privileged role may not CREATE, even IF NOT EXISTS.
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists.rows[0]?.t) {
    await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  }
  const appliedBefore = new Set((await db.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
  const applied: string[] = [];
  for (const m of listMigrations(dir)) {
    if (appliedBefore.has(m.version)) continue;
    const done = await db.tx(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await q.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (seen.rowCount) return false;
      await q.query(fs.readFileSync(m.file, 'utf8'));
      await q.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      return true;
    });
    if (done) {
      applied.push(m.version);
      log.info('migration applied', { version: m.version });
    }
  }
  return applied;
}
