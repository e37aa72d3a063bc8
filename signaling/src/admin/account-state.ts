import { AppError, ERROR_MESSAGES, type Role } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { AuthSessions } from '../auth/auth-sessions.js';
import type { Db } from '../db/db.js';
import type { Claims } from '../security/jwt.js';

/**
 * Administrators the system administrator may not shut out from the web (三员分立): the security and the audit
 * administrator watch the system administrator, so one who could disable them alone could stop being watched. They
 * are disabled or enabled on the server (`npm run users:disable`), with a stated reason, audited.
 */
const SEPARATED: readonly Role[] = ['sec_admin', 'audit_admin'];

/** Who disables or enables: an administrator signed in on the web, or the operator on the server with a reason. */
export type AccountStateActor = { web: Claims } | { cli: { reason: string } };

/**
 * Disables or enables an account, audited in the same transaction. Disabling ends every login session of the user
 * there too; the caller closes their live sockets, and every request re-checks the account.
 */
export async function setAccountDisabled(
  db: Db,
  auth: Pick<AuthSessions, 'revokeAllForUser'>,
  actor: AccountStateActor,
  userId: string,
  disabled: boolean,
): Promise<void> {
  const principal = 'web' in actor ? actor.web : undefined;
  if (userId === principal?.sub) throw new AppError('INVALID_STATE', ERROR_MESSAGES.admin.selfDisable);
  await db.tx(async (q) => {
    const target = await q.query<{ role: Role }>('SELECT role FROM users WHERE id = $1 FOR UPDATE', [userId]);
    const role = target.rows[0]?.role;
    if (!role) throw new AppError('NOT_FOUND', ERROR_MESSAGES.admin.userNotFound);
    if (principal && SEPARATED.includes(role)) throw new AppError('FORBIDDEN', ERROR_MESSAGES.admin.separatedAdmin);
    await q.query(`UPDATE users SET disabled_at = ${disabled ? 'now()' : 'NULL'} WHERE id = $1`, [userId]);
    if (disabled) await auth.revokeAllForUser(q, userId, 'user_disabled');
    await appendAudit(q, {
      actorId: principal?.sub ?? null,
      actorRole: principal?.role ?? null,
      action: disabled ? 'user.disable' : 'user.enable',
      objectType: 'user',
      objectId: userId,
      ...('cli' in actor ? { details: { via: 'cli', reason: actor.cli.reason } } : {}),
    });
  });
}
