import type { Express } from 'express';
import { AcknowledgedAnswer, AppError, MyAccountView, RecoveryCodesView, SessionIdParams, TotpBeginBody, TotpConfirmBody, TotpEnrolment, secondFactorRequired } from '@vj/shared';
import { appendAudit } from '../../audit/audit-log.js';
import type { AppContext } from '../../context.js';
import { verifyPassword } from '../../security/crypto.js';
import { mount } from '../route.js';

/** A user's own account: enrolling their second factor, and seeing and ending their own login sessions. */
export function accountRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'POST /api/auth/second-factor/begin', {
    rateLimit: { name: 'second-factor-enrol', limit: 10, windowMs: 60_000 },
    body: TotpBeginBody,
    response: TotpEnrolment,
    handler: async ({ body, principal }) => {
      const u = await app.db.query<{ username: string; password_hash: string }>('SELECT username, password_hash FROM users WHERE id = $1', [principal.sub]);
      if (!(await verifyPassword(body.password, u.rows[0]?.password_hash, app.config.cryptoSuite))) throw new AppError('BAD_REQUEST', '当前密码不正确', ['password']);
      return TotpEnrolment.parse(await app.secondFactor.begin(principal.sub, u.rows[0]!.username));
    },
  });

  mount(express, app, 'POST /api/auth/second-factor/confirm', {
    rateLimit: { name: 'second-factor-enrol', limit: 10, windowMs: 60_000 },
    body: TotpConfirmBody,
    response: RecoveryCodesView,
    // Every other login of the user, opened with the password alone, ends: whoever used a stolen password before
    // the factor existed is out once it does.
    handler: async ({ body, principal }) => {
      const done = await app.db.tx(async (q) => {
        const c = await app.secondFactor.confirm(q, principal.sub, body.code);
        if (!c) return undefined;
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
        return { codes: c, ended: ended.rows.map((r) => r.id) };
      });
      if (!done) throw new AppError('BAD_REQUEST', '动态口令不正确：请核对手机时间是否准确，并输入应用里当前显示的 6 位数字', ['code']);
      for (const sid of done.ended) app.disconnect.session(sid);
      return RecoveryCodesView.parse(done.codes);
    },
  });

  mount(express, app, 'GET /api/auth/account', {
    response: MyAccountView,
    handler: async ({ principal }) => {
      const [factor, user, sessions] = await Promise.all([
        app.secondFactor.state(app.db, principal.sub),
        app.db.query<{ role: string; changed_at: Date | null; expires_at: Date | null; others: boolean }>(
          `SELECT u.role, u.password_changed_at AS changed_at, p.others_require_second_factor AS others,
                  CASE WHEN p.password_max_age_days IS NULL THEN NULL
                       ELSE coalesce(u.password_changed_at, u.created_at) + make_interval(days => p.password_max_age_days) END AS expires_at
           FROM users u LEFT JOIN security_policy p ON p.id = 1 WHERE u.id = $1`,
          [principal.sub],
        ),
        app.db.query<{ id: string; created_at: Date; refreshed_at: Date; user_agent: string | null; address: string | null }>(
          `SELECT id, created_at, refreshed_at, user_agent, address FROM auth_sessions
           WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 50`,
          [principal.sub],
        ),
      ]);
      const u = user.rows[0]!;
      return MyAccountView.parse({
        secondFactor: { enrolled: factor.enrolled, required: secondFactorRequired(u.role, Boolean(u.others)), enrolledAt: factor.enrolledAt?.toISOString() ?? null, recoveryCodesLeft: factor.recoveryCodesLeft },
        password: { changedAt: u.changed_at?.toISOString() ?? null, expiresAt: u.expires_at?.toISOString() ?? null },
        sessions: sessions.rows.map((s) => ({
          id: s.id,
          createdAt: s.created_at.toISOString(),
          lastActiveAt: s.refreshed_at.toISOString(),
          current: s.id === principal.sid,
          userAgent: s.user_agent,
          address: s.address,
        })),
      });
    },
  });

  mount(express, app, 'POST /api/auth/sessions/:sid/end', {
    params: SessionIdParams,
    response: AcknowledgedAnswer,
    // Only the user's own sessions; another user's id answers 404 as if it did not exist.
    handler: async ({ params, principal }) => {
      const ended = await app.db.tx(async (q) => {
        const r = await q.query('UPDATE auth_sessions SET revoked_at = now(), revoke_reason = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [params.sid, principal.sub, 'ended_by_user']);
        if (!r.rowCount) return false;
        await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'auth.session_end', objectType: 'auth_session', objectId: params.sid, townshipCode: principal.twp ?? null });
        return true;
      });
      if (!ended) throw new AppError('NOT_FOUND', '该登录会话不存在或已结束');
      app.disconnect.session(params.sid);
      return {};
    },
  });
}
