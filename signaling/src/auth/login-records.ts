import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import type { AuthSessions, UserRow } from './auth-sessions.js';
import type { SecondFactor } from './second-factor.js';

/**
 * The database side of signing in and out: the user rows the login routes read, and every login-session change with
 * its audit row in the same transaction. The routes keep the rate limits, the back-off and the answers.
 */

type Seen = Parameters<AuthSessions['create']>[2];

export async function userByName(db: Db, username: string): Promise<UserRow | undefined> {
  return (await db.query<UserRow>('SELECT * FROM users WHERE username = $1', [username])).rows[0];
}

export async function userById(db: Db, id: string, activeOnly = false): Promise<UserRow | undefined> {
  return (await db.query<UserRow>(`SELECT * FROM users WHERE id = $1 ${activeOnly ? 'AND disabled_at IS NULL' : ''}`, [id])).rows[0];
}

/** A refused password, audited whether or not the name exists (knownUser says which), with any back-off it started. */
export async function recordLoginFailure(db: Db, user: UserRow | undefined, heldMs: number): Promise<void> {
  await db.tx((q) =>
    appendAudit(q, {
      actorId: user?.id ?? null,
      actorRole: user?.role ?? null,
      action: 'auth.login_failed',
      details: { knownUser: Boolean(user), ...(heldMs > 0 ? { backoffS: Math.round(heldMs / 1000) } : {}) },
    }),
  );
}

/** A hash of the other suite (or older parameters), replaced while the password is at hand. */
export async function replacePasswordHash(db: Db, userId: string, hash: string): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [userId, hash]);
}

/** A login session started on the password alone, with its audit row in the same transaction. */
export async function openLoginSession(db: Db, auth: AuthSessions, user: UserRow, seen: Seen): Promise<{ sid: string; refreshToken: string }> {
  return db.tx(async (q) => {
    const s = await auth.create(q, user.id, seen);
    await appendAudit(q, {
      actorId: user.id,
      actorRole: user.role,
      action: 'auth.login',
      objectType: 'auth_session',
      objectId: s.sid,
      townshipCode: user.township_code,
    });
    return s;
  });
}

export type SecondFactorOutcome =
  { kind: 'expired' } | { kind: 'held'; ms: number } | { kind: 'failed'; ms: number } | { kind: 'ok'; session: { sid: string; refreshToken: string } };

/**
 * The second step of a login. One attempt at a time per user (the factor row is locked): the back-off's check, the
 * code check and the count of a failure cannot be raced past by sending many guesses at once. The session starts in
 * the same transaction, so a reset or disable landing between the code and the session cannot be missed.
 */
export async function completeSecondFactor(
  deps: { db: Db; auth: AuthSessions; secondFactor: SecondFactor },
  user: UserRow,
  attempt: {
    binding: string | undefined;
    by: 'totp' | 'recovery_code';
    code: string;
    seen: Seen;
    /** The back-off and the single use of the challenge, which live outside the database. */
    held: () => Promise<number>;
    failed: () => Promise<number>;
    used: () => Promise<boolean>;
    markUsed: () => Promise<void>;
  },
): Promise<SecondFactorOutcome> {
  return deps.db.tx(async (q) => {
    if (!(await deps.secondFactor.lock(q, user.id))) return { kind: 'expired' };
    // The challenge holds only for what it was issued for, and only once.
    if (attempt.binding !== (await deps.secondFactor.challengeBinding(q, user.id, user.password_hash))) return { kind: 'expired' };
    if (await attempt.used()) return { kind: 'expired' };
    const heldMs = await attempt.held();
    if (heldMs > 0) return { kind: 'held', ms: heldMs };
    const ok =
      attempt.by === 'totp' ? await deps.secondFactor.verify(q, user.id, attempt.code) : await deps.secondFactor.useRecoveryCode(q, user.id, attempt.code);
    if (!ok) return { kind: 'failed', ms: await attempt.failed() };
    await attempt.markUsed();
    const s = await deps.auth.create(q, user.id, attempt.seen);
    if (attempt.by === 'recovery_code') {
      const left = (await deps.secondFactor.state(q, user.id)).recoveryCodesLeft;
      await appendAudit(q, {
        actorId: user.id,
        actorRole: user.role,
        action: 'auth.recovery_code_used',
        objectType: 'user',
        objectId: user.id,
        details: { left },
      });
    }
    await appendAudit(q, {
      actorId: user.id,
      actorRole: user.role,
      action: 'auth.login',
      objectType: 'auth_session',
      objectId: s.sid,
      townshipCode: user.township_code,
      details: { secondFactor: attempt.by },
    });
    return { kind: 'ok', session: s };
  });
}

export async function recordSecondFactorFailure(db: Db, user: UserRow, by: 'totp' | 'recovery_code', heldMs: number): Promise<void> {
  await db.tx((q) =>
    appendAudit(q, {
      actorId: user.id,
      actorRole: user.role,
      action: 'auth.second_factor_failed',
      details: { kind: by, ...(heldMs > 0 ? { backoffS: Math.round(heldMs / 1000) } : {}) },
    }),
  );
}

export async function recordRefreshReuse(db: Db, reuse: { userId: string; sid: string }): Promise<void> {
  await db.tx((q) => appendAudit(q, { actorId: reuse.userId, actorRole: null, action: 'auth.refresh_reuse', objectType: 'auth_session', objectId: reuse.sid }));
}

export async function endLoginSession(db: Db, auth: AuthSessions, principal: Claims): Promise<void> {
  await db.tx(async (q) => {
    await auth.revoke(q, principal.sid!, 'logout');
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'auth.logout',
      objectType: 'auth_session',
      objectId: principal.sid!,
      townshipCode: principal.twp ?? null,
    });
  });
}

/**
 * A new password: every login session of the user ends (a thief who knew the old password is out) and a new one
 * is opened for whoever changed it; the change and its audit row are one transaction. Answers the ended sessions.
 */
export async function replacePassword(
  db: Db,
  auth: AuthSessions,
  user: UserRow,
  hash: string,
  seen: Seen,
): Promise<{ sid: string; refreshToken: string; ended: string[] }> {
  return db.tx(async (q) => {
    await q.query('UPDATE users SET password_hash = $2, must_change_password = false, password_changed_at = now() WHERE id = $1', [user.id, hash]);
    const open = await q.query<{ id: string }>('SELECT id FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
    await auth.revokeAllForUser(q, user.id, 'password_changed');
    await appendAudit(q, {
      actorId: user.id,
      actorRole: user.role,
      action: 'auth.password_change',
      objectType: 'user',
      objectId: user.id,
      townshipCode: user.township_code,
    });
    return { ...(await auth.create(q, user.id, seen)), ended: open.rows.map((r) => r.id) };
  });
}

/** A provisioned kiosk device that is not revoked, in an active room. */
export async function activeKioskDevice(db: Db, deviceId: string): Promise<{ room_code: string; secret_hash: string; name: string; kind: string } | undefined> {
  const found = await db.query<{ room_code: string; secret_hash: string; name: string; kind: string }>(
    `SELECT d.room_code, d.secret_hash, r.name, r.kind FROM kiosk_devices d JOIN rooms r ON r.code = d.room_code
     WHERE d.id = $1 AND d.revoked_at IS NULL AND r.active`,
    [deviceId],
  );
  return found.rows[0];
}
