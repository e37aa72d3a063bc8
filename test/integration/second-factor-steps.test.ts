// The TOTP check itself, with the clock injected: RFC 6238's SHA-1 test vectors, one step of drift either side,
// a code accepted once (and nothing older than the last accepted one), and the secret surviving a master-key
// rotation to another suite (keys:rotate re-wraps it); what the security policy makes an account owe. On PGlite, and on PostgreSQL when configured.
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSessions } from '../../signaling/src/auth/auth-sessions.js';
import { SecondFactor } from '../../signaling/src/auth/second-factor.js';
import { MasterKeys, base32 } from '../../signaling/src/security/crypto.js';
import { rewrapDataKeys } from '../../signaling/src/security/rotate-keys.js';
import { IntegrityKeys } from '../../signaling/src/security/system-keys.js';
import { backends, migrated } from '../helpers/backends.js';
import type { Db } from '@vj/signaling';

// RFC 6238 appendix B: the ASCII secret "12345678901234567890" with HMAC-SHA1; the last 6 of the 8 digits.
const RFC_SECRET = base32(Buffer.from('12345678901234567890', 'ascii'));
const VECTORS: [number, string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
];
const codeAt = (seconds: number) => TOTP.generate({ secret: Secret.fromBase32(RFC_SECRET), timestamp: seconds * 1000 });

describe.each(backends)('TOTP steps ($name)', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let userId: string;
  let now = 0;
  const v1 = MasterKeys.parse(MasterKeys.generateSpec(1), 'intl');
  const factor = (master: MasterKeys) =>
    new SecondFactor(
      db,
      master,
      () => IntegrityKeys.ephemeral(),
      '视频接访',
      () => now,
    );
  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    userId = (
      await db.query<{ id: string }>(
        `INSERT INTO users (id, username, display_name, role, password_hash) VALUES (gen_random_uuid(), 'totp', 'T', 'county_supervisor', 'x') RETURNING id`,
      )
    ).rows[0]!.id;
    await factor(v1).enrolDemo(userId, RFC_SECRET);
  });
  afterAll(async () => cleanup?.());

  const verify = (f: SecondFactor, code: string) => db.tx((q) => f.verify(q, userId, code));

  it('accepts the RFC 6238 vectors once each, in order; a replay or an older code is refused', async () => {
    const f = factor(v1);
    for (const [t, code] of VECTORS) {
      now = t * 1000;
      expect(await verify(f, code)).toBe(true);
      expect(await verify(f, code)).toBe(false);
    }
    // An older vector after a newer one was accepted: refused, although it is a right code for its time.
    now = 59_000;
    expect(await verify(f, '287082')).toBe(false);
  });

  it('allows one step of clock drift either side, not two, and moves the step forward', async () => {
    const f = factor(v1);
    // 2,000,000,000 s was accepted above (step 66,666,666). Codes of the next steps, checked a step early or late.
    now = (2_000_000_000 + 30) * 1000;
    const code = codeAt(2_000_000_000 + 60);
    expect(await verify(f, code)).toBe(true); // one step ahead of this clock
    const far = codeAt(2_000_000_000 + 150);
    expect(await verify(f, far)).toBe(false); // four steps ahead
  });

  it('keeps working after keys:rotate re-wraps the secret under a new master key and the 国密 suite', async () => {
    const v2 = MasterKeys.parse(`${v1.exportSpec()},${MasterKeys.generateSpec(2)}`, 'sm');
    db.integrity = IntegrityKeys.ephemeral('sm');
    await rewrapDataKeys(db, v2);
    const row = await db.query<{ kek_version: number; fmt: number }>('SELECT kek_version, get_byte(wrapped, 0) AS fmt FROM user_totp WHERE user_id = $1', [
      userId,
    ]);
    expect(row.rows[0]).toEqual({ kek_version: 2, fmt: 2 });
    // The old key alone no longer opens it; the rotated keys do.
    now = (2_000_000_000 + 300) * 1000;
    const code = codeAt(now / 1000);
    await expect(verify(factor(v1), code)).rejects.toThrow();
    expect(await verify(factor(v2), code)).toBe(true);
    // Safe to re-run: nothing left to re-wrap.
    const again = await db.query('SELECT count(*)::int AS n FROM user_totp WHERE kek_version <> 2');
    expect(again.rows[0]).toEqual({ n: 0 });
  });

  it('the security policy: an expired password is owed like a one-time one; a factor is owed by role or by policy', async () => {
    const auth = new AuthSessions(db);
    const officer = (
      await db.query<{ id: string }>(
        `INSERT INTO users (id, username, display_name, role, password_hash, password_changed_at) VALUES (gen_random_uuid(), 'old-pw', 'O', 'county_officer', 'x', now() - interval '40 days') RETURNING id`,
      )
    ).rows[0]!.id;
    const sid = await db.tx(async (q) => (await auth.create(q, officer)).sid);
    const live = () => auth.assertLive({ sub: officer, role: 'county_officer', sid });
    expect(await live()).toEqual({ mustChangePassword: false, mustEnrolSecondFactor: false });
    await db.query('UPDATE security_policy SET password_max_age_days = 30, others_require_second_factor = true WHERE id = 1');
    expect(await live()).toEqual({ mustChangePassword: true, mustEnrolSecondFactor: true });
    await db.query(`UPDATE users SET password_changed_at = now() WHERE id = $1`, [officer]);
    expect(await live()).toEqual({ mustChangePassword: false, mustEnrolSecondFactor: true });
    await db.query('UPDATE security_policy SET password_max_age_days = NULL, others_require_second_factor = false WHERE id = 1');
    expect(await live()).toEqual({ mustChangePassword: false, mustEnrolSecondFactor: false });
    // The supervisor enrolled above owes nothing; with enforcement off (DEMO_SECOND_FACTOR=off) nobody owes a factor.
    const supSid = await db.tx(async (q) => (await auth.create(q, userId)).sid);
    expect(await auth.assertLive({ sub: userId, role: 'county_supervisor', sid: supSid })).toEqual({ mustChangePassword: false, mustEnrolSecondFactor: false });
    await db.query('DELETE FROM user_totp WHERE user_id = $1', [userId]);
    expect((await auth.assertLive({ sub: userId, role: 'county_supervisor', sid: supSid })).mustEnrolSecondFactor).toBe(true);
    expect((await new AuthSessions(db, false).assertLive({ sub: userId, role: 'county_supervisor', sid: supSid })).mustEnrolSecondFactor).toBe(false);
  });
});
