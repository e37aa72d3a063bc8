import type { Express } from 'express';
import { AppError, ChangePasswordBody, KioskAuthBody, LoginBody, RefreshBody, passwordProblems, type KioskAuthResult, type LoginResult } from '@vj/shared';
import { appendAudit } from '../../audit/audit-log.js';
import type { UserRow } from '../../auth/auth-sessions.js';
import type { AppContext } from '../../context.js';
import { constantTimeEqual, digestSecret, hashPassword, passwordNeedsUpgrade, verifyPassword } from '../../security/crypto.js';
import { LoginBackoff } from '../login-backoff.js';
import { mount, rateLimited } from '../route.js';

export function authRoutes(express: Express, app: AppContext): void {
  const issue = (user: UserRow, sid: string, refreshToken: string): LoginResult => {
    const { token, expiresAt } = app.keys.sign(
      { sub: user.id, role: user.role, name: user.display_name, sid, ...(user.township_code ? { twp: user.township_code } : {}) },
      'vj:console',
      app.config.accessTokenTtlS,
    );
    return {
      accessToken: token,
      expiresAt: expiresAt.toISOString(),
      refreshToken,
      user: {
        id: user.id,
        username: user.username,
        displayName: user.display_name,
        role: user.role,
        townshipCode: user.township_code,
        ...(user.must_change_password ? { mustChangePassword: true } : {}),
      },
      idleTimeoutS: app.config.consoleIdleTimeoutS,
    };
  };

  const backoff = new LoginBackoff(app.rateLimiter);

  mount(express, app, 'POST /api/auth/login', {
    // body.username is already normalised (LoginBody: NFKC + trim): the same value keys this limit and finds the user.
    rateLimit: { name: 'login', limit: 10, windowMs: 60_000, key: (_req, body) => body.username },
    body: LoginBody,
    handler: async ({ body, req, res }) => {
      const found = await app.db.query<UserRow>('SELECT * FROM users WHERE username = $1', [body.username]);
      const user = found.rows[0];
      // Known accounts back off by id, unknown names by the name: the same path either way (login-backoff.ts).
      const account = user ? `u:${user.id}` : `n:${body.username}`;
      const address = req.ip ?? 'unknown';
      const verdict = await backoff.check(account, address);
      if (!verdict.ok) throw rateLimited(res, verdict.retryAfterMs);
      // Unknown user, disabled user and wrong password take the same time and give the same answer.
      const suite = app.config.cryptoSuite;
      const ok = (await verifyPassword(body.password, user?.password_hash, suite)) && user !== undefined && user.disabled_at === null;
      if (!ok || !user) {
        const heldMs = await backoff.failed(account, address);
        await app.db.tx((q) =>
          appendAudit(q, {
            actorId: user?.id ?? null,
            actorRole: user?.role ?? null,
            action: 'auth.login_failed',
            details: { knownUser: Boolean(user), ...(heldMs > 0 ? { backoffS: Math.round(heldMs / 1000) } : {}) },
          }),
        );
        if (heldMs > 0) app.log.warn('login back-off started', { userId: user?.id ?? null, backoffS: Math.round(heldMs / 1000) });
        throw new AppError('UNAUTHENTICATED', '用户名或密码错误');
      }
      await backoff.succeeded(account, address);
      const { sid, refreshToken } = await app.db.tx(async (q) => {
        const s = await app.auth.create(q, user.id);
        // A hash of the other suite (or older parameters) is replaced now, while the password is at hand.
        if (passwordNeedsUpgrade(user.password_hash, suite)) await q.query('UPDATE users SET password_hash = $2 WHERE id = $1', [user.id, await hashPassword(body.password, suite)]);
        await appendAudit(q, { actorId: user.id, actorRole: user.role, action: 'auth.login', objectType: 'auth_session', objectId: s.sid, townshipCode: user.township_code });
        return s;
      });
      app.log.info('login', { userId: user.id, role: user.role, sid });
      return issue(user, sid, refreshToken);
    },
  });

  mount(express, app, 'POST /api/auth/refresh', {
    rateLimit: { name: 'refresh', limit: 60, windowMs: 60_000 },
    body: RefreshBody,
    handler: async ({ body }) => {
      const r = await app.auth.rotate(body.refreshToken);
      if (r && 'reuse' in r) {
        await app.db.tx((q) => appendAudit(q, { actorId: r.reuse.userId, actorRole: null, action: 'auth.refresh_reuse', objectType: 'auth_session', objectId: r.reuse.sid }));
        app.disconnect.session(r.reuse.sid);
        app.log.warn('refresh token reused; session revoked', { sid: r.reuse.sid });
      }
      if (!r || 'reuse' in r) throw new AppError('UNAUTHENTICATED', 'invalid or expired credentials');
      return issue(r.user, r.sid, r.refreshToken);
    },
  });

  mount(express, app, 'POST /api/auth/logout', {
    handler: async ({ principal }) => {
      await app.db.tx(async (q) => {
        await app.auth.revoke(q, principal.sid!, 'logout');
        await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action: 'auth.logout', objectType: 'auth_session', objectId: principal.sid!, townshipCode: principal.twp ?? null });
      });
      app.disconnect.session(principal.sid!);
      return {};
    },
  });

  mount(express, app, 'POST /api/auth/password', {
    rateLimit: { name: 'password-change', limit: 10, windowMs: 60_000 },
    body: ChangePasswordBody,
    // Every login session of the user ends (a thief who knew the old password is out) and a new one is given
    // to whoever changed it; the change and its audit row are one transaction.
    handler: async ({ body, principal }) => {
      const found = await app.db.query<UserRow>('SELECT * FROM users WHERE id = $1', [principal.sub]);
      const user = found.rows[0]!;
      if (!(await verifyPassword(body.current, user.password_hash, app.config.cryptoSuite))) throw new AppError('BAD_REQUEST', '当前密码不正确', ['current']);
      const problems = passwordProblems(body.next, user.username);
      if (body.next === body.current) problems.push('不能与当前密码相同');
      if (problems.length) throw new AppError('BAD_REQUEST', `新密码不符合要求：${problems.join('；')}`, ['next']);
      const hash = await hashPassword(body.next, app.config.cryptoSuite);
      const { sid, refreshToken, ended } = await app.db.tx(async (q) => {
        await q.query('UPDATE users SET password_hash = $2, must_change_password = false, password_changed_at = now() WHERE id = $1', [user.id, hash]);
        const open = await q.query<{ id: string }>('SELECT id FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
        await app.auth.revokeAllForUser(q, user.id, 'password_changed');
        await appendAudit(q, { actorId: user.id, actorRole: user.role, action: 'auth.password_change', objectType: 'user', objectId: user.id, townshipCode: user.township_code });
        return { ...(await app.auth.create(q, user.id)), ended: open.rows.map((r) => r.id) };
      });
      // The sockets of the ended sessions close; the new session's, opened after this answer, stay.
      for (const old of ended) app.disconnect.session(old);
      return issue({ ...user, must_change_password: false }, sid, refreshToken);
    },
  });

  mount(express, app, 'POST /api/auth/kiosk', {
    rateLimit: { name: 'kiosk-auth', limit: 30, windowMs: 60_000 },
    body: KioskAuthBody,
    handler: async ({ body }): Promise<KioskAuthResult> => {
      const [deviceId, secret] = body.credential.split('.') as [string, string];
      const found = await app.db.query<{ room_code: string; secret_hash: string; name: string; kind: string }>(
        `SELECT d.room_code, d.secret_hash, r.name, r.kind FROM kiosk_devices d JOIN rooms r ON r.code = d.room_code
         WHERE d.id = $1 AND d.revoked_at IS NULL AND r.active`,
        [deviceId],
      );
      const dev = found.rows[0];
      if (!dev || !constantTimeEqual(dev.secret_hash, digestSecret(secret))) throw new AppError('UNAUTHENTICATED', '本机登记凭据无效或已停用');
      const { token, expiresAt } = app.keys.sign({ sub: deviceId, role: 'kiosk', name: dev.name, room: dev.room_code }, 'vj:kiosk', app.config.kioskTokenTtlS);
      return { accessToken: token, expiresAt: expiresAt.toISOString(), room: { code: dev.room_code, name: dev.name, kind: dev.kind } };
    },
  });
}
