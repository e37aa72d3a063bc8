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
  ERROR_MESSAGES,
} from '@vj/shared';
import type { UserRow } from '../../auth/auth-sessions.js';
import {
  activeKioskDevice,
  completeSecondFactor,
  endLoginSession,
  openLoginSession,
  recordLoginFailure,
  recordRefreshReuse,
  recordSecondFactorFailure,
  replacePassword,
  replacePasswordHash,
  userById,
  userByName,
} from '../../auth/login-records.js';
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
      const user = await userByName(app.db, body.username);
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
        await recordLoginFailure(app.db, user, heldMs);
        if (heldMs > 0) app.log.warn('login back-off started', { userId: user?.id ?? null, backoffS: Math.round(heldMs / 1000) });
        throw new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.wrongPassword);
      }
      // A hash of the other suite (or older parameters) is replaced now, while the password is at hand.
      if (passwordNeedsUpgrade(user.password_hash, suite)) {
        user.password_hash = await hashPassword(body.password, suite);
        await replacePasswordHash(app.db, user.id, user.password_hash);
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

  /** A login session starts on the password alone. */
  const startSession = async (user: UserRow, req: Request): Promise<LoginResult> => {
    const { sid, refreshToken } = await openLoginSession(app.db, app.auth, user, seenBy(req));
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
      const expired = () => new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.loginExpired);
      const user = await userById(app.db, claims.sub, true);
      if (!user) throw expired();
      // Code guessing backs off like password guessing, on its own counters.
      const account = `2fa:${user.id}`;
      const address = req.ip ?? 'unknown';
      const by = body.code !== undefined ? 'totp' : 'recovery_code';
      const usedKey = `2fa-used:${claims.sid}`;
      const outcome = await completeSecondFactor(app, user, {
        binding: claims.name,
        by,
        code: by === 'totp' ? body.code! : body.recoveryCode!,
        seen: seenBy(req),
        held: async () => {
          const verdict = await backoff.check(account, address);
          return verdict.ok ? 0 : Math.max(1, verdict.retryAfterMs);
        },
        failed: () => backoff.failed(account, address),
        used: async () => (await app.rateLimiter.get(usedKey)) > 0,
        markUsed: async () => void (await app.rateLimiter.add(usedKey, (CHALLENGE_TTL_S + 60) * 1000)),
      });
      if (outcome.kind === 'expired') throw expired();
      if (outcome.kind === 'held') throw rateLimited(res, outcome.ms);
      if (outcome.kind === 'failed') {
        const heldMs = outcome.ms;
        await recordSecondFactorFailure(app.db, user, by, heldMs);
        app.log.warn('second factor refused', { userId: user.id, ...(heldMs > 0 ? { backoffS: Math.round(heldMs / 1000) } : {}) });
        throw new AppError('UNAUTHENTICATED', by === 'totp' ? ERROR_MESSAGES.auth.totpRejected : ERROR_MESSAGES.auth.recoveryRejected);
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
        await recordRefreshReuse(app.db, r.reuse);
        app.disconnect.session(r.reuse.sid);
        app.log.warn('refresh token reused; session revoked', { sid: r.reuse.sid });
      }
      if (!r || 'reuse' in r) throw new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.expired);
      return issueLogin(app, r.user, r.sid, r.refreshToken);
    },
  });

  mount(express, app, 'POST /api/auth/logout', {
    response: AcknowledgedAnswer,
    handler: async ({ principal }) => {
      await endLoginSession(app.db, app.auth, principal);
      app.disconnect.session(principal.sid!);
      return {};
    },
  });

  mount(express, app, 'POST /api/auth/password', {
    rateLimit: { name: 'password-change', limit: 10, windowMs: 60_000 },
    body: ChangePasswordBody,
    response: LoginResult,
    // Every login session of the user ends and a new one is given to whoever changed it (login-records.ts).
    handler: async ({ body, principal, req }) => {
      const user = (await userById(app.db, principal.sub))!;
      if (!(await verifyPassword(body.current, user.password_hash, app.config.cryptoSuite)))
        throw new AppError('BAD_REQUEST', ERROR_MESSAGES.auth.currentPasswordWrong, ['current']);
      const problems = passwordProblems(body.next, user.username);
      if (body.next === body.current) problems.push('不能与当前密码相同');
      if (problems.length) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.auth.newPasswordWeak(problems), ['next']);
      const hash = await hashPassword(body.next, app.config.cryptoSuite);
      const { sid, refreshToken, ended } = await replacePassword(app.db, app.auth, user, hash, seenBy(req));
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
      const dev = await activeKioskDevice(app.db, deviceId);
      if (!dev || !constantTimeEqual(dev.secret_hash, digestSecret(secret))) throw new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.kioskCredentialBad);
      const { token, expiresAt } = app.keys.sign({ sub: deviceId, role: 'kiosk', name: dev.name, room: dev.room_code }, 'vj:kiosk', app.config.kioskTokenTtlS);
      return { accessToken: token, expiresAt: expiresAt.toISOString(), room: { code: dev.room_code, name: dev.name, kind: dev.kind } };
    },
  });
}
