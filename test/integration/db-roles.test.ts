// Issue 12 point 10: in production the server's database role cannot rewrite the audit table or switch its
// triggers off; migrations run as the owner. Needs the real PostgreSQL (PGlite has a single superuser, where
// the append-only trigger is the guard: records.test.ts).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterKeys } from '../../signaling/src/security/crypto.js';
import { api } from '../helpers/api.js';
import { REPO, startTestServer } from '../helpers/server.js';
import { adminDatabaseUrl, createTestDatabase } from '../helpers/services.js';

const run = promisify(execFile);

describe('database roles in production', () => {
  const tag = randomBytes(3).toString('hex');
  const owner = `vj_owner_${tag}`;
  const app = `vj_app_${tag}`;
  let db: { url: string; drop: () => Promise<void> };
  const urlAs = (role: string) => {
    const u = new URL(db.url);
    u.username = role;
    return u.toString();
  };
  const sql = async (role: string, text: string) => {
    const c = new pg.Client({ connectionString: urlAs(role) });
    await c.connect();
    try {
      return await c.query(text);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    if (!adminDatabaseUrl) throw new Error('this test needs the real PostgreSQL (npm test provides one)');
    db = await createTestDatabase();
    const admin = new pg.Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE ROLE ${owner} LOGIN; CREATE ROLE ${app} LOGIN`);
    await admin.query(`ALTER DATABASE ${new URL(db.url).pathname.slice(1)} OWNER TO ${owner}`);
    await admin.end();
    await run(process.execPath, [path.join(REPO, 'signaling/dist/cli/db-migrate.js')], {
      env: { PATH: process.env['PATH'] ?? '', DATABASE_OWNER_URL: urlAs(owner), DATABASE_APP_ROLE: app },
    });
  });
  afterAll(async () => {
    await db?.drop();
    const admin = new pg.Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${app}; DROP ROLE IF EXISTS ${owner}`);
    await admin.end();
  });

  it('lets the app role read and append the audit log, and nothing else on it', async () => {
    await expect(sql(app, 'SELECT count(*) FROM audit_log')).resolves.toBeTruthy();
    await expect(sql(app, `UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/permission denied/);
    await expect(sql(app, 'DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
    await expect(sql(app, 'TRUNCATE audit_log')).rejects.toThrow(/permission denied/);
    // The review's bypass: the app's own user switched the append-only trigger off.
    await expect(sql(app, 'ALTER TABLE audit_log DISABLE TRIGGER USER')).rejects.toThrow(/must be owner/);
    await expect(sql(app, 'SELECT count(*) FROM petitions')).resolves.toBeTruthy();
  });

  it('runs the production server as the app role, and refuses the owner role', async () => {
    const env = {
      VJ_MODE: 'production',
      JWT_SECRETS: `p1:${randomBytes(32).toString('base64')}`,
      VJ_MASTER_KEYS: MasterKeys.generateSpec(1),
      RECORDING: 'off',
    };
    const s = await startTestServer({ env: { ...env, DATABASE_URL: urlAs(app) } });
    try {
      expect((await api(s.url, 'GET', '/api/health')).status).toBe(200);
    } finally {
      await s.stop();
    }
    await expect(startTestServer({ env: { ...env, DATABASE_URL: urlAs(owner) } })).rejects.toThrow(/refuses to run as database role/);
  });
});
