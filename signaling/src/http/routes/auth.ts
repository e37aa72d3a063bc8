import type { Express, Request } from 'express';
import {
  AcknowledgedAnswer,
  AppError,
  ChangePasswordBody,
  KioskAuthBody,
  KioskAuthResult,
  LoginAnswer,
  LoginBody,
  LoginResult,
  RefreshBody,
  SecondFactorBody,
  passwordProblems,
  type SecondFactorChallenge,
} from '@vj/shared';
import { appendAudit } from '../../audit/audit-log.js';
import type { UserRow } from '../../auth/auth-sessions.js';
import type { AppContext } from '../../context.js';
import { constantTimeEqual, digestSecret, hashPassword, newId, passwordNeedsUpgrade, verifyPassword } from '../../security/crypto.js';
import { issueLogin, seenBy } from '../login-result.js';
import { LoginBackoff } from '../login-backoff.js';
import { mount, rateLimited } from '../route.js';

/** How long the step between a right password and the second factor may take. */
const CHALLENGE_TTL_S = 300;

export function authRoutes(express: Express, app: AppContext): void {
  const backoff = new LoginBackoff(app.rateLimiter);

  mount(express, app, 'POST /api/auth/login', {
    // body.username is already normalised (LoginBody: NFKC + trim): the same value keys this limit and finds the user.
    rateLimit: { name: 'login', limit: 10, windowMs: 60_000, key: (_req, body) => body.username },
    body: LoginBody,
    response: LoginAnswer,
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
      // A hash of the other suite (or older parameters) is replaced now, while the password is at hand.
      if (passwordNeedsUpgrade(user.password_hash, suite)) {
        user.password_hash = await hashPassword(body.password, suite);
        await app.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [user.id, user.password_hash]);
      }
      // With a second factor enrolled, the right password earns only a short challenge; the back-off is not
      // cleared until the code is right too, so a known password does not reset the count on code guessing.
      const binding = await app.secondFactor.challengeBinding(app.db, user.id, user.password_hash);
      if (binding) {
        // `name` carries the binding (a MAC; see SecondFactor.challengeBinding), `sid` a nonce that makes it single-use.
        const { token, expiresAt } = app.keys.sign({ sub: user.id, role: user.role, name: binding, sid: newId() }, 'vj:2fa', CHALLENGE_TTL_S);
        return { secondFactor: 'totp', challenge: token, expiresAt: expiresAt.toISOString() } satisfies SecondFactorChallenge;
      }
      await backoff.succeeded(account, address);
      return startSession(user, req);
    },
  });

  /** A login session starts on the password alone, with its audit row in the same transaction. */
  const startSession = async (user: UserRow, req: Request): Promise<LoginResult> => {
    const { sid, refreshToken } = await app.db.tx(async (q) => {
      const s = await app.auth.create(q, user.id, seenBy(req));
      await appendAudit(q, { actorId: user.id, actorRole: user.role, action: 'auth.login', objectType: 'auth_session', objectId: s.sid, townshipCode: user.township_code });
      return s;
    });
    app.log.info('login', { userId: user.id, role: user.role, sid });
    return issueLogin(app, user, sid, refreshToken);
  };

  mount(express, app, 'POST /api/auth/login/second-factor', {
    // Per challenge (its signature's tail): the per-account back-off below limits guessing across challenges.
    rateLimit: { name: 'second-factor', limit: 10, windowMs: 60_000, key: (_req, body) => body.challenge.slice(-16) },
    body: SecondFactorBody,
    response: LoginResult,
    handler: async ({ body, req, res }) => {
      const claims = app.keys.verify(body.challenge, 'vj:2fa');
      const expired = () => new AppError('UNAUTHENTICATED', '登录已失效，请重新输入用户名和密码');
      const found = await app.db.query<UserRow>('SELECT * FROM users WHERE id = $1 AND disabled_at IS NULL', [claims.sub]);
      const user = found.rows[0];
      if (!user) throw expired();
      // Code guessing backs off like password guessing, on its own counters.
      const account = `2fa:${user.id}`;
      const address = req.ip ?? 'unknown';
      const by = body.code !== undefined ? 'totp' : 'recovery_code';
      const usedKey = `2fa-used:${claims.sid}`;
      // One attempt at a time per user (the factor row is locked): the back-off's check, the code check and the
      // count of a failure cannot be raced past by sending many guesses at once. The session starts in the same
      // transaction, so a reset or disable landing between the code and the session cannot be missed.
      const outcome = await app.db.tx(async (q) => {
        if (!(await app.secondFactor.lock(q, user.id))) return { kind: 'expired' as const };
        // The challenge holds only for what it was issued for, and only once.
        if (claims.name !== (await app.secondFactor.challengeBinding(q, user.id, user.password_hash))) return { kind: 'expired' as const };
        if ((await app.rateLimiter.get(usedKey)) > 0) return { kind: 'expired' as const };
        const verdict = await backoff.check(account, address);
        if (!verdict.ok) return { kind: 'held' as const, ms: verdict.retryAfterMs };
        const ok = by === 'totp' ? await app.secondFactor.verify(q, user.id, body.code!) : await app.secondFactor.useRecoveryCode(q, user.id, body.recoveryCode!);
        if (!ok) return { kind: 'failed' as const, ms: await backoff.failed(account, address) };
        await app.rateLimiter.add(usedKey, (CHALLENGE_TTL_S + 60) * 1000);
        const s = await app.auth.create(q, user.id, seenBy(req));
        if (by === 'recovery_code') {
          const left = (await app.secondFactor.state(q, user.id)).recoveryCodesLeft;
          await appendAudit(q, { actorId: user.id, actorRole: user.role, action: 'auth.recovery_code_used', objectType: 'user', objectId: user.id, details: { left } });
        }
        await appendAudit(q, { actorId: user.id, actorRole: user.role, action: 'auth.login', objectType: 'auth_session', objectId: s.sid, townshipCode: user.township_code, details: { secondFactor: by } });
        return { kind: 'ok' as const, session: s };
      });
      if (outcome.kind === 'expired') throw expired();
      if (outcome.kind === 'held') throw rateLimited(res, outcome.ms);
      if (outcome.kind === 'failed') {
        const heldMs = outcome.ms;
        await app.db.tx((q) =>
          appendAudit(q, { actorId: user.id, actorRole: user.role, action: 'auth.second_factor_failed', details: { kind: by, ...(heldMs > 0 ? { backoffS: Math.round(heldMs / 1000) } : {}) } }),
        );
        app.log.warn('second factor refused', { userId: user.id, ...(heldMs > 0 ? { backoffS: Math.round(heldMs / 1000) } : {}) });
        throw new AppError('UNAUTHENTICATED', by === 'totp' ? '动态口令不正确或已使用过，请等手机上出现新口令后再试' : '恢复码不正确或已使用过');
      }
      await backoff.succeeded(account, address);
      await backoff.succeeded(`u:${user.id}`, address);
      app.log.info('login', { userId: user.id, role: user.role, sid: outcome.session.sid });
      return issueLogin(app, user, outcome.session.sid, outcome.session.refreshToken);
    },
  });

  mount(express, app, 'POST /api/auth/refresh', {
    rateLimit: { name: 'refresh', limit: 60, windowMs: 60_000 },
    body: RefreshBody,
    response: LoginResult,
    handler: async ({ body }) => {
      const r = await app.auth.rotate(body.refreshToken);
      if (r && 'reuse' in r) {
        await app.db.tx((q) => appendAudit(q, { actorId: r.reuse.userId, actorRole: null, action: 'auth.refresh_reuse', objectType: 'auth_session', objectId: r.reuse.sid }));
        app.disconnect.session(r.reuse.sid);
        app.log.warn('refresh token reused; session revoked', { sid: r.reuse.sid });
      }
      if (!r || 'reuse' in r) throw new AppError('UNAUTHENTICATED', 'invalid or expired credentials');
      return issueLogin(app, r.user, r.sid, r.refreshToken);
    },
  });

  mount(express, app, 'POST /api/auth/logout', {
    response: AcknowledgedAnswer,
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
    response: LoginResult,
    // Every login session of the user ends (a thief who knew the old password is out) and a new one is given
    // to whoever changed it; the change and its audit row are one transaction.
    handler: async ({ body, principal, req }) => {
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
        return { ...(await app.auth.create(q, user.id, seenBy(req))), ended: open.rows.map((r) => r.id) };
      });
      // The sockets of the ended sessions close; the new session's, opened after this answer, stay.
      for (const old of ended) app.disconnect.session(old);
      return issueLogin(app, user, sid, refreshToken);
    },
  });

  mount(express, app, 'POST /api/auth/kiosk', {
    rateLimit: { name: 'kiosk-auth', limit: 30, windowMs: 60_000 },
    body: KioskAuthBody,
    response: KioskAuthResult,
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
