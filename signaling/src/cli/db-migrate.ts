// Applies migrations as the database owner and grants the server's role what it needs (audit table: SELECT and
// INSERT only). Production runs this before starting the server, which then connects as the restricted role.
// Usage: DATABASE_OWNER_URL=postgres://vj_owner@db/vj DATABASE_APP_ROLE=vj_app npm run db:migrate
import { createLogger } from '@vj/shared';
import { openPostgres } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { grantAppRole } from '../db/privileges.js';

async function main(): Promise<void> {
  const url = process.env['DATABASE_OWNER_URL'] ?? process.env['DATABASE_URL'];
  if (!url) throw new Error("set DATABASE_OWNER_URL (or DATABASE_URL) to the owner role's connection");
  const role = process.env['DATABASE_APP_ROLE'];
  const log = createLogger('db-migrate', 'info');
  const db = await openPostgres(url, log);
  try {
    const applied = await migrate(db, log);
    if (role) await grantAppRole(db, role);
    console.log(
      `migrations applied: ${applied.length ? applied.join(', ') : 'none pending'}${role ? `; role ${role} granted (audit table: SELECT, INSERT)` : ''}`,
    );
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
