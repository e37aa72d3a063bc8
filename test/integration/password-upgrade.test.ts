// Issue 15: passwords hashed under the old suite (scrypt) still log in after CRYPTO_SUITE=sm, and are replaced
// by PBKDF2-HMAC-SM3 at that login; a wrong password changes nothing.
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbedded } from '@vj/signaling';
import { api } from '../helpers/api.js';
import { quietLog } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

async function hashOf(s: TestServer, username: string): Promise<string> {
  const sql = 'SELECT password_hash FROM users WHERE username = $1';
  if (s.databaseUrl) {
    const c = new pg.Client({ connectionString: s.databaseUrl });
    await c.connect();
    try {
      return (await c.query<{ password_hash: string }>(sql, [username])).rows[0]!.password_hash;
    } finally {
      await c.end();
    }
  }
  // Embedded: the server is stopped, so its database can be opened here.
  const db = await openEmbedded(path.join(s.dataDir, 'pglite'), quietLog);
  try {
    return (await db.query<{ password_hash: string }>(sql, [username])).rows[0]!.password_hash;
  } finally {
    await db.close();
  }
}

describe('password hashes follow the configured suite', () => {
  let first: TestServer | undefined;
  let second: TestServer | undefined;
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('scrypt hashes log in under sm and are upgraded at that login; a wrong password upgrades nothing', async () => {
    first = await startTestServer({ env: { CRYPTO_SUITE: 'intl', RECORDING: 'off' }, embedded: process.env['VJ_TEST_DB'] === 'embedded' });
    const reuse = { dataDir: first.dataDir, databaseUrl: first.databaseUrl, port: first.port };
    first.proc.kill('SIGTERM');
    await new Promise((r) => first!.proc.once('exit', r));
    expect(await hashOf(first, 'officer1')).toMatch(/^scrypt\$/);

    second = await startTestServer({ env: { CRYPTO_SUITE: 'sm', RECORDING: 'off' }, reuse });
    expect((await api(second.url, 'POST', '/api/auth/login', { body: { username: 'officer2', password: 'wrong-password' } })).status).toBe(401);
    expect((await api(second.url, 'POST', '/api/auth/login', { body: { username: 'officer1', password: 'officer1-demo' } })).status).toBe(200);
    await second.stop();
    expect(await hashOf(second, 'officer1')).toMatch(/^pbkdf2-sm3\$100000\$/);
    expect(await hashOf(second, 'officer2')).toMatch(/^scrypt\$/);
    second = await startTestServer({ env: { CRYPTO_SUITE: 'sm', RECORDING: 'off' }, reuse });
    expect((await api(second.url, 'POST', '/api/auth/login', { body: { username: 'officer1', password: 'officer1-demo' } })).status).toBe(200);
  });
});
