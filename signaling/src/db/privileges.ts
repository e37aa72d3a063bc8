import type { Db, Queryable } from './db.js';

/**
 * Least privilege for the running server (等保: the application cannot rewrite its own audit trail). Migrations
 * run as an owner role (`npm run db:migrate`); the server connects as a role that may only SELECT and INSERT the
 * audit table. A role that owns the table could switch its append-only triggers off; a superuser could anything.
 */
export async function auditTablePrivileges(q: Queryable): Promise<{ role: string; superuser: boolean; owner: boolean; canRewrite: boolean }> {
  const r = await q.query<{ role: string; superuser: boolean; owner: boolean; upd: boolean; del: boolean; trunc: boolean }>(
    `SELECT current_user AS role,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            pg_has_role(current_user, (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_log'), 'USAGE') AS owner,
            has_table_privilege('audit_log', 'UPDATE') AS upd,
            has_table_privilege('audit_log', 'DELETE') AS del,
            has_table_privilege('audit_log', 'TRUNCATE') AS trunc`,
  );
  const p = r.rows[0]!;
  return { role: p.role, superuser: p.superuser, owner: p.owner, canRewrite: p.superuser || p.owner || p.upd || p.del || p.trunc };
}

/** Gives the server's role what it needs, and on the audit table only SELECT and INSERT. Run as the owner. */
export async function grantAppRole(db: Db, role: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error('DATABASE_APP_ROLE must be a plain lower-case role name');
  await db.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
  await db.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  await db.query(`REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_log FROM ${role}`);
  await db.query(`GRANT SELECT, INSERT ON audit_log TO ${role}`);
  // The policy's version row (0018) is moved by its triggers only; without it intake would refuse every petition.
  await db.query(`REVOKE INSERT, DELETE, TRUNCATE ON case_policy_version FROM ${role}`);
}
