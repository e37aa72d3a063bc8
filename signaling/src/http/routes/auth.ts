import { Router } from 'express';
import { AppError, KioskAuthBody, LoginBody, ROLES, type KioskAuthResult, type LoginResult, type Role } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { constantTimeEqual, digestSecret, verifyPassword } from '../../security/crypto.js';
import { route } from '../route.js';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Exclude<Role, 'kiosk'>;
  password_hash: string;
}

export function authRoutes(app: AppContext): Router {
  const r = Router();
  const issue = (user: UserRow): LoginResult => {
    const { token, expiresAt } = app.keys.sign({ sub: user.id, role: user.role, name: user.display_name }, 'vj:console', app.config.accessTokenTtlS);
    return {
      accessToken: token,
      expiresAt: expiresAt.toISOString(),
      user: { id: user.id, username: user.username, displayName: user.display_name, role: user.role },
    };
  };

  r.post(
    '/login',
    route(app, {
      auth: { kind: 'public' },
      rateLimit: { name: 'login', limit: 10, windowMs: 60_000, key: (req) => String((req.body as { username?: unknown })?.username ?? '').slice(0, 64) },
      body: LoginBody,
      handler: async ({ body }): Promise<LoginResult> => {
        const found = await app.db.query<UserRow>('SELECT * FROM users WHERE username = $1 AND disabled_at IS NULL', [body.username]);
        const user = found.rows[0];
        // Unknown user and wrong password take the same time and give the same answer.
        const ok = await verifyPassword(body.password, user?.password_hash);
        if (!user || !ok) throw new AppError('UNAUTHENTICATED', '用户名或密码错误');
        app.log.info('login', { userId: user.id, role: user.role });
        return issue(user);
      },
    }),
  );

  // Sliding renewal for a signed-in officer: a still-valid token buys a fresh one if the account is enabled.
  r.post(
    '/refresh',
    route(app, {
      auth: { kind: 'console', roles: ROLES.filter((x) => x !== 'kiosk') },
      handler: async ({ principal }): Promise<LoginResult> => {
        const found = await app.db.query<UserRow>('SELECT * FROM users WHERE id = $1 AND disabled_at IS NULL', [principal!.sub]);
        const user = found.rows[0];
        if (!user) throw new AppError('UNAUTHENTICATED', 'invalid or expired credentials');
        return issue(user);
      },
    }),
  );

  r.post(
    '/kiosk',
    route(app, {
      auth: { kind: 'public' },
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
    }),
  );

  return r;
}
