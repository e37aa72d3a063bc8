import type { Request } from 'express';
import type { LoginResult } from '@vj/shared';
import type { UserRow } from '../auth/auth-sessions.js';
import type { AppContext } from '../context.js';

/**
 * The tokens and account state a console gets when a login session starts or continues (login, second factor,
 * refresh, password change). What the account still owes (a new password, a second factor) is read from the
 * database as every request does, so the console's gate and the server's agree.
 */
export async function issueLogin(app: AppContext, user: UserRow, sid: string, refreshToken: string): Promise<LoginResult> {
  const { token, expiresAt } = app.keys.sign(
    { sub: user.id, role: user.role, name: user.display_name, sid, ...(user.township_code ? { twp: user.township_code } : {}) },
    'vj:console',
    app.config.accessTokenTtlS,
  );
  const owed = await app.auth.assertLive({ sub: user.id, role: user.role, sid });
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
      ...(owed.mustChangePassword ? { mustChangePassword: true } : {}),
      ...(owed.mustEnrolSecondFactor ? { mustEnrolSecondFactor: true } : {}),
    },
    idleTimeoutS: app.config.consoleIdleTimeoutS,
  };
}

/** What the user's session list shows to tell sessions apart (never used to decide anything). */
export function seenBy(req: Request): { userAgent: string | undefined; address: string | undefined } {
  return { userAgent: req.headers['user-agent'], address: req.ip };
}
