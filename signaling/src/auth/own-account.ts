import { AppError, secondFactorRequired, type MyAccountView, type RecoveryCodesView, type TotpEnrolment, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { verifyPassword, type SuiteId } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import type { SecondFactor } from './second-factor.js';

/**
 * What a signed-in user does with their own account: enrol a second factor (proving the password again), see
 * their factor, password age and live login sessions, and end one of those sessions. The routes only present.
 */
export class OwnAccount {
  constructor(
    private readonly db: Db,
    private readonly secondFactor: SecondFactor,
    private readonly suite: SuiteId,
  ) {}

  async beginEnrolment(principal: Claims, password: string): Promise<TotpEnrolment> {
    const u = await this.db.query<{ username: string; password_hash: string }>('SELECT username, password_hash FROM users WHERE id = $1', [principal.sub]);
    if (!(await verifyPassword(password, u.rows[0]?.password_hash, this.suite)))
      throw new AppError('BAD_REQUEST', ERROR_MESSAGES.auth.currentPasswordWrong, ['password']);
    return this.secondFactor.begin(principal.sub, u.rows[0]!.username);
  }

  /**
   * Confirms the factor. Every other login of the user, opened with the password alone, is ended (returned, for
   * their sockets to be closed): whoever used a stolen password before the factor existed is out once it does.
   */
  async confirmEnrolment(principal: Claims, code: string): Promise<{ codes: RecoveryCodesView; ended: string[] }> {
    const done = await this.db.tx(async (q) => {
      const codes = await this.secondFactor.confirm(q, principal.sub, code);
      if (!codes) return undefined;
      const ended = await q.query<{ id: string }>(
        `UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'second_factor_enrolled' WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id`,
        [principal.sub, principal.sid],
      );
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'auth.second_factor_enrol',
        objectType: 'user',
        objectId: principal.sub,
        townshipCode: principal.twp ?? null,
        details: { otherSessionsEnded: ended.rowCount ?? 0 },
      });
      return { codes, ended: ended.rows.map((r) => r.id) };
    });
    if (!done) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.auth.totpCodeWrong, ['code']);
    return done;
  }

  async view(principal: Claims): Promise<MyAccountView> {
    const [factor, user, sessions] = await Promise.all([
      this.secondFactor.state(this.db, principal.sub),
      this.db.query<{ role: string; changed_at: Date | null; expires_at: Date | null; others: boolean }>(
        `SELECT u.role, u.password_changed_at AS changed_at, p.others_require_second_factor AS others,
                CASE WHEN p.password_max_age_days IS NULL THEN NULL
                     ELSE coalesce(u.password_changed_at, u.created_at) + make_interval(days => p.password_max_age_days) END AS expires_at
         FROM users u LEFT JOIN security_policy p ON p.id = 1 WHERE u.id = $1`,
        [principal.sub],
      ),
      this.db.query<{ id: string; created_at: Date; refreshed_at: Date; user_agent: string | null; address: string | null }>(
        `SELECT id, created_at, refreshed_at, user_agent, address FROM auth_sessions
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 50`,
        [principal.sub],
      ),
    ]);
    const u = user.rows[0]!;
    return {
      secondFactor: {
        enrolled: factor.enrolled,
        required: secondFactorRequired(u.role, Boolean(u.others)),
        enrolledAt: factor.enrolledAt?.toISOString() ?? null,
        recoveryCodesLeft: factor.recoveryCodesLeft,
      },
      password: { changedAt: u.changed_at?.toISOString() ?? null, expiresAt: u.expires_at?.toISOString() ?? null },
      sessions: sessions.rows.map((s) => ({
        id: s.id,
        createdAt: s.created_at.toISOString(),
        lastActiveAt: s.refreshed_at.toISOString(),
        current: s.id === principal.sid,
        userAgent: s.user_agent,
        address: s.address,
      })),
    };
  }

  /** Ends one of the user's own sessions, audited; another user's session id is NOT_FOUND, as if it did not exist. */
  async endSession(principal: Claims, sid: string): Promise<void> {
    const ended = await this.db.tx(async (q) => {
      const r = await q.query('UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [
        sid,
        principal.sub,
        'ended_by_user',
      ]);
      if (!r.rowCount) return false;
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'auth.session_end',
        objectType: 'auth_session',
        objectId: sid,
        townshipCode: principal.twp ?? null,
      });
      return true;
    });
    if (!ended) throw new AppError('NOT_FOUND', ERROR_MESSAGES.auth.loginSessionGone);
  }
}
