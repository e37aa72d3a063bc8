import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { AppError, RECOVERY_CODE_COUNT, type RecoveryCodesView, type TotpEnrolment, ERROR_MESSAGES } from '@vj/shared';
import type { Db, Queryable } from '../db/db.js';
import { SUITES, base32, mac, newRecoveryCode, newTotpSecret, recoveryCodeDigest, type MasterKeys } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';

const PERIOD_S = 30;
/** One step either side: a phone clock up to 30 s off still works. */
const WINDOW = 1;
const TABLE = 'user_totp';

export interface SecondFactorState {
  enrolled: boolean;
  enrolledAt: Date | null;
  recoveryCodesLeft: number;
}

/**
 * TOTP second factor (RFC 6238) and one-time recovery codes. The secret is kept only wrapped by the county
 * master key, bound to its user (a wrapped secret copied to another user's row does not open); a code is
 * accepted once (the last accepted step is stored and the row locked while checking), so a code read over
 * a shoulder or replayed from a log is useless.
 */
export class SecondFactor {
  constructor(
    private readonly db: Db,
    private readonly master: MasterKeys,
    private readonly keys: () => IntegrityKeyring,
    private readonly issuer: string,
    private readonly now: () => number = Date.now,
  ) {}

  async state(q: Queryable, userId: string): Promise<SecondFactorState> {
    const r = await q.query<{ enrolled_at: Date | null; left: string }>(
      `SELECT t.enrolled_at, (SELECT count(*) FROM user_recovery_codes c WHERE c.user_id = $1 AND c.used_at IS NULL) AS left
       FROM (SELECT 1) one LEFT JOIN user_totp t ON t.user_id = $1`,
      [userId],
    );
    const row = r.rows[0]!;
    return { enrolled: row.enrolled_at !== null, enrolledAt: row.enrolled_at, recoveryCodesLeft: row.enrolled_at ? Number(row.left) : 0 };
  }

  /**
   * Starts (or restarts) an enrolment: a new secret, shown this once as text and QR code. Refused while one is
   * enrolled: replacing it takes the security administrator's reset, so a stolen session cannot swap it.
   */
  async begin(userId: string, account: string): Promise<TotpEnrolment> {
    const secret = newTotpSecret();
    await this.db.tx(async (q) => {
      const cur = await q.query<{ enrolled_at: Date | null }>('SELECT enrolled_at FROM user_totp WHERE user_id = $1 FOR UPDATE', [userId]);
      if (cur.rows[0]?.enrolled_at) throw new AppError('CONFLICT', ERROR_MESSAGES.auth.totpAlreadyBound);
      const { wrapped, kekVersion } = this.master.wrap(secret, userId, TABLE);
      await q
        .query(
          `INSERT INTO user_totp (user_id, wrapped, kek_version) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET wrapped = EXCLUDED.wrapped, kek_version = EXCLUDED.kek_version, last_step = 0, created_at = now()
         WHERE user_totp.enrolled_at IS NULL`,
          [userId, wrapped, kekVersion],
        )
        .then((r) => {
          // A confirm that committed between our check and this write: the enrolled factor stays.
          if (!r.rowCount) throw new AppError('CONFLICT', ERROR_MESSAGES.auth.totpAlreadyBound);
        });
    });
    const totp = this.totp(secret, account);
    const otpauthUri = totp.toString();
    const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret: base32(secret), otpauthUri, qrSvg, issuer: this.issuer, account };
  }

  /**
   * Finishes an enrolment with a code from the app, in the caller's transaction (with its audit row): the
   * secret becomes active and a fresh set of recovery codes is returned, the only time they are shown.
   */
  async confirm(q: Queryable, userId: string, code: string): Promise<RecoveryCodesView | undefined> {
    const r = await q.query<{ wrapped: Buffer; kek_version: number; enrolled_at: Date | null; last_step: string }>(
      'SELECT wrapped, kek_version, enrolled_at, last_step FROM user_totp WHERE user_id = $1 FOR UPDATE',
      [userId],
    );
    const row = r.rows[0];
    if (!row) throw new AppError('CONFLICT', ERROR_MESSAGES.auth.totpStartFirst);
    if (row.enrolled_at) throw new AppError('CONFLICT', ERROR_MESSAGES.auth.totpBound);
    const step = this.acceptedStep(this.master.unwrap(row.wrapped, row.kek_version, userId, TABLE), code, Number(row.last_step));
    if (step === undefined) return undefined;
    await q.query('UPDATE user_totp SET enrolled_at = now(), last_step = $2 WHERE user_id = $1', [userId, step]);
    return { recoveryCodes: await this.newRecoveryCodes(q, userId) };
  }

  /** Checks a login's code; true at most once per code. */
  async verify(q: Queryable, userId: string, code: string): Promise<boolean> {
    const r = await q.query<{ wrapped: Buffer; kek_version: number; last_step: string }>(
      'SELECT wrapped, kek_version, last_step FROM user_totp WHERE user_id = $1 AND enrolled_at IS NOT NULL FOR UPDATE',
      [userId],
    );
    const row = r.rows[0];
    if (!row) return false;
    const step = this.acceptedStep(this.master.unwrap(row.wrapped, row.kek_version, userId, TABLE), code, Number(row.last_step));
    if (step === undefined) return false;
    await q.query('UPDATE user_totp SET last_step = $2 WHERE user_id = $1', [userId, step]);
    return true;
  }

  /** Spends one recovery code (normalised: lower case, no dash); true if it was unused. */
  async useRecoveryCode(q: Queryable, userId: string, normalised: string): Promise<boolean> {
    const digests = SUITES.map((s) => recoveryCodeDigest(s, this.keys().key('recovery-code', s), userId, normalised));
    const r = await q.query('UPDATE user_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_digest = ANY($2::text[]) AND used_at IS NULL', [
      userId,
      digests,
    ]);
    return (r.rowCount ?? 0) === 1;
  }

  /**
   * What a login challenge is bound to: the password it was earned with, the factor it asks for, and the user's
   * last revocation of every session (disable, password change, factor reset). A challenge whose binding no
   * longer matches is dead. A keyed MAC, since the challenge (a JWT) is readable by whoever holds it. Undefined
   * when the user has no enrolled factor.
   */
  async challengeBinding(q: Queryable, userId: string, passwordHash: string): Promise<string | undefined> {
    const r = await q.query<{ created_at: Date; revoked: Date | null }>(
      `SELECT t.created_at,
              (SELECT max(s.revoked_at) FROM auth_sessions s WHERE s.user_id = t.user_id AND s.revoke_reason IN ('user_disabled', 'password_changed', 'second_factor_reset')) AS revoked
       FROM user_totp t WHERE t.user_id = $1 AND t.enrolled_at IS NOT NULL`,
      [userId],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    const keys = this.keys();
    return mac(keys.suite, keys.key('login-challenge'), userId, passwordHash, row.created_at.toISOString(), row.revoked?.toISOString() ?? '').toString(
      'base64url',
    );
  }

  /** Holds the user's factor row until the transaction ends: one second-factor attempt at a time per user. */
  async lock(q: Queryable, userId: string): Promise<boolean> {
    const r = await q.query('SELECT 1 FROM user_totp WHERE user_id = $1 AND enrolled_at IS NOT NULL FOR UPDATE', [userId]);
    return (r.rowCount ?? 0) > 0;
  }

  /** Removes the second factor and its recovery codes (the security administrator's reset). */
  async remove(q: Queryable, userId: string): Promise<boolean> {
    await q.query('DELETE FROM user_recovery_codes WHERE user_id = $1', [userId]);
    const r = await q.query('DELETE FROM user_totp WHERE user_id = $1', [userId]);
    return (r.rowCount ?? 0) > 0;
  }

  /** Demo mode: enrols an account with the printed demo secret (no recovery codes). */
  async enrolDemo(userId: string, secretBase32: string): Promise<void> {
    const secret = Buffer.from(Secret.fromBase32(secretBase32).buffer);
    const { wrapped, kekVersion } = this.master.wrap(secret, userId, TABLE);
    await this.db.query(`INSERT INTO user_totp (user_id, wrapped, kek_version, enrolled_at) VALUES ($1, $2, $3, now()) ON CONFLICT (user_id) DO NOTHING`, [
      userId,
      wrapped,
      kekVersion,
    ]);
  }

  /** Re-wraps secrets under an older master key version or suite (keys:rotate), in the caller's transaction. */
  static async rewrap(q: Queryable, master: MasterKeys, format: number): Promise<number> {
    const r = await q.query<{ user_id: string; wrapped: Buffer; kek_version: number }>(
      'SELECT user_id, wrapped, kek_version FROM user_totp WHERE kek_version <> $1 OR get_byte(wrapped, 0) <> $2 FOR UPDATE',
      [master.current, format],
    );
    for (const k of r.rows) {
      const { wrapped, kekVersion } = master.wrap(master.unwrap(k.wrapped, k.kek_version, k.user_id, TABLE), k.user_id, TABLE);
      await q.query('UPDATE user_totp SET wrapped = $2, kek_version = $3, rotated_at = now() WHERE user_id = $1', [k.user_id, wrapped, kekVersion]);
    }
    return r.rows.length;
  }

  private async newRecoveryCodes(q: Queryable, userId: string): Promise<string[]> {
    const keys = this.keys();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await q.query('DELETE FROM user_recovery_codes WHERE user_id = $1', [userId]);
    for (const c of codes) {
      await q.query('INSERT INTO user_recovery_codes (user_id, code_digest) VALUES ($1, $2)', [
        userId,
        recoveryCodeDigest(keys.suite, keys.key('recovery-code'), userId, c.replace('-', '')),
      ]);
    }
    return codes;
  }

  /** The 30-second step the code belongs to, if it is within the window and later than the last one accepted. */
  private acceptedStep(secret: Buffer, code: string, lastStep: number): number | undefined {
    const now = this.now();
    const delta = this.totp(secret, '').validate({ token: code, timestamp: now, window: WINDOW });
    if (delta === null) return undefined;
    const step = Math.floor(now / 1000 / PERIOD_S) + delta;
    return step > lastStep ? step : undefined;
  }

  private totp(secret: Buffer, account: string): TOTP {
    return new TOTP({
      issuer: this.issuer,
      label: account,
      algorithm: 'SHA1',
      digits: 6,
      period: PERIOD_S,
      secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
    });
  }
}
