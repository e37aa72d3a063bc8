import { AppError, SECOND_FACTOR_ALWAYS, type Role, ERROR_MESSAGES } from '@vj/shared';
import type { Db, Queryable } from '../db/db.js';
import { constantTimeEqual, digestSecret, newId, randomSecret } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import type { AccessEnd } from '../sessions/evict.js';

const REFRESH_LIFETIME_H = 12;

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Exclude<Role, 'kiosk'>;
  township_code: string | null;
  password_hash: string;
  disabled_at: Date | null;
  must_change_password?: boolean;
}

/**
 * Login sessions with rotating refresh tokens "<sessionId>.<secret>". A refresh token works once; showing an
 * old one again (a stolen copy racing the real client) revokes the whole session.
 */
export class AuthSessions {
  constructor(
    private readonly db: Db,
    /** False only in a demo run with DEMO_SECOND_FACTOR=off: nobody is made to enrol a second factor. */
    private readonly secondFactorEnforced = true,
  ) {}

  /** `seen`: the browser and address, shown to the user in their session list (never used to decide anything). */
  async create(
    q: Queryable,
    userId: string,
    seen: { userAgent?: string | undefined; address?: string | undefined } = {},
  ): Promise<{ sid: string; refreshToken: string }> {
    const sid = newId();
    const secret = randomSecret(32);
    await q.query(
      `INSERT INTO auth_sessions (id, user_id, refresh_digest, expires_at, user_agent, address) VALUES ($1, $2, $3, now() + make_interval(hours => $4), $5, $6)`,
      [sid, userId, digestSecret(secret), REFRESH_LIFETIME_H, seen.userAgent?.slice(0, 200) ?? null, seen.address?.slice(0, 64) ?? null],
    );
    return { sid, refreshToken: `${sid}.${secret}` };
  }

  /** Rotates a refresh token. Returns the user and the new token, or why it failed. */
  async rotate(refreshToken: string): Promise<{ user: UserRow; sid: string; refreshToken: string } | { reuse: { sid: string; userId: string } } | undefined> {
    const [sid, secret] = refreshToken.split('.') as [string, string];
    return this.db.tx(async (q) => {
      const r = await q.query<{ user_id: string; refresh_digest: string; revoked_at: Date | null; expired: boolean }>(
        `SELECT user_id, refresh_digest, revoked_at, expires_at < now() AS expired FROM auth_sessions WHERE id = $1 FOR UPDATE`,
        [sid],
      );
      const s = r.rows[0];
      if (!s || s.revoked_at || s.expired) return undefined;
      if (!constantTimeEqual(s.refresh_digest, digestSecret(secret))) {
        await q.query(`UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'refresh_reuse' WHERE id = $1`, [sid]);
        return { reuse: { sid, userId: s.user_id } };
      }
      const u = await q.query<UserRow>('SELECT * FROM users WHERE id = $1 AND disabled_at IS NULL', [s.user_id]);
      if (!u.rows[0]) return undefined;
      const next = randomSecret(32);
      await q.query(`UPDATE auth_sessions SET refresh_digest = $2, refreshed_at = now() WHERE id = $1`, [sid, digestSecret(next)]);
      return { user: u.rows[0], sid, refreshToken: `${sid}.${next}` };
    });
  }

  async revoke(q: Queryable, sid: string, reason: string): Promise<void> {
    await q.query(`UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2 WHERE id = $1 AND revoked_at IS NULL`, [sid, reason]);
  }

  async revokeAllForUser(q: Queryable, userId: string, reason: string): Promise<void> {
    await q.query(`UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`, [userId, reason]);
  }

  /**
   * A token's signature proves who it was issued to; this proves that is still true now: the login session is
   * live and the user enabled, or the kiosk device not revoked. Checked on every request and socket handshake.
   * It also says what the account owes before anything else: a new password (one-time, or older than the
   * policy allows) or a second factor its role requires.
   */
  async assertLive(claims: Pick<Claims, 'sub' | 'role' | 'sid'>): Promise<LiveAccount> {
    if (claims.role === 'kiosk') {
      if (!(await this.kioskLive(claims.sub))) throw new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.expired);
      return { mustChangePassword: false, mustEnrolSecondFactor: false };
    }
    const r = await this.db.query<{ must: boolean; required: boolean; enrolled: boolean }>(
      `SELECT u.must_change_password
                OR (p.password_max_age_days IS NOT NULL AND coalesce(u.password_changed_at, u.created_at) < now() - make_interval(days => p.password_max_age_days)) AS must,
              (u.role = ANY($3::text[]) OR p.others_require_second_factor) AS required,
              EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.enrolled_at IS NOT NULL) AS enrolled
       FROM auth_sessions s JOIN users u ON u.id = s.user_id LEFT JOIN security_policy p ON p.id = 1
       WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND u.disabled_at IS NULL`,
      [claims.sid, claims.sub, SECOND_FACTOR_ALWAYS],
      // Asked on every request a console user makes: planned once (0.3 ms of the database's CPU each time otherwise,
      // six times what running it costs).
      { prepare: 'auth_session_live' },
    );
    const row = r.rows[0];
    if (!row) throw new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.expired);
    return { mustChangePassword: row.must, mustEnrolSecondFactor: this.secondFactorEnforced && row.required && !row.enrolled };
  }

  /**
   * Why a principal's access has ended, as the eviction that followed it named it (evict.ts), or null while it is
   * live, judged as assertLive judges it (an expired refresh does not end a live access token). A disabled account's
   * login sessions are revoked too: disabled is asked first.
   */
  async accessEnded(claims: Pick<Claims, 'sub' | 'role' | 'sid'>): Promise<AccessEnd | null> {
    if (claims.role === 'kiosk') return (await this.kioskLive(claims.sub)) ? null : 'kiosk_revoked';
    const r = await this.db.query<{ disabled: boolean; out: boolean }>(
      `SELECT u.disabled_at IS NOT NULL AS disabled, (s.id IS NULL OR s.revoked_at IS NOT NULL) AS out
         FROM users u LEFT JOIN auth_sessions s ON s.id = $2 AND s.user_id = u.id WHERE u.id = $1`,
      [claims.sub, claims.sid ?? null],
    );
    const row = r.rows[0];
    if (!row || row.disabled) return 'user_disabled';
    return row.out ? 'logout' : null;
  }

  private async kioskLive(deviceId: string): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM kiosk_devices WHERE id = $1 AND revoked_at IS NULL', [deviceId], { prepare: 'auth_kiosk_live' });
    return r.rows.length > 0;
  }
}

/** What a live console account must do before anything else (route.ts and the socket handshake hold it to it). */
export interface LiveAccount {
  mustChangePassword: boolean;
  mustEnrolSecondFactor: boolean;
}
