import { AppError, type Role } from '@vj/shared';
import type { Db, Queryable } from '../db/db.js';
import { constantTimeEqual, digestSecret, newId, randomSecret } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';

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
  constructor(private readonly db: Db) {}

  async create(q: Queryable, userId: string): Promise<{ sid: string; refreshToken: string }> {
    const sid = newId();
    const secret = randomSecret(32);
    await q.query(
      `INSERT INTO auth_sessions (id, user_id, refresh_digest, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
      [sid, userId, digestSecret(secret), REFRESH_LIFETIME_H],
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
   */
  /** Throws unless the session, user or device is still good; says whether a password change is due first. */
  async assertLive(claims: Claims): Promise<{ mustChangePassword: boolean }> {
    const r =
      claims.role === 'kiosk'
        ? await this.db.query<{ must: boolean }>('SELECT false AS must FROM kiosk_devices WHERE id = $1 AND revoked_at IS NULL', [claims.sub])
        : await this.db.query<{ must: boolean }>(
            `SELECT u.must_change_password AS must FROM auth_sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND u.disabled_at IS NULL`,
            [claims.sid, claims.sub],
          );
    if (!r.rows[0]) throw new AppError('UNAUTHENTICATED', 'invalid or expired credentials');
    return { mustChangePassword: r.rows[0].must };
  }
}
