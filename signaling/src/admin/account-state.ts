import { AppError, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { AuthSessions } from '../auth/auth-sessions.js';
import type { Db } from '../db/db.js';
import type { Claims } from '../security/jwt.js';

/**
 * Disables or enables an account, audited in the same transaction. Disabling ends every login session of the user
 * there too; the caller closes their live sockets, and every request re-checks the account.
 */
export async function setAccountDisabled(
  db: Db,
  auth: Pick<AuthSessions, 'revokeAllForUser'>,
  principal: Claims,
  userId: string,
  disabled: boolean,
): Promise<void> {
  if (userId === principal.sub) throw new AppError('INVALID_STATE', ERROR_MESSAGES.admin.selfDisable);
  await db.tx(async (q) => {
    const r = await q.query(`UPDATE users SET disabled_at = ${disabled ? 'now()' : 'NULL'} WHERE id = $1`, [userId]);
    if (!r.rowCount) throw new AppError('NOT_FOUND', ERROR_MESSAGES.admin.userNotFound);
    if (disabled) await auth.revokeAllForUser(q, userId, 'user_disabled');
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: disabled ? 'user.disable' : 'user.enable',
      objectType: 'user',
      objectId: userId,
    });
  });
}
