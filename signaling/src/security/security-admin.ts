import {
  AppError,
  SUSPICIOUS_FAILURES,
  secondFactorRequired,
  type SecondFactorUsersView,
  type SecurityPolicyBody,
  type SecurityStatusView,
  ERROR_MESSAGES,
} from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { AuthSessions } from '../auth/auth-sessions.js';
import type { SecondFactor } from '../auth/second-factor.js';
import type { Db, Queryable } from '../db/db.js';
import type { Claims } from './jwt.js';
import { envelopeSuite, type SuiteId } from './crypto.js';

/**
 * The security administrator's work, as the route file's handlers call it: counts and versions, the second-factor
 * roster and policy, and the reset of a lost factor. Never a key, a petition or an identity.
 */

// The first byte of a wrapped key names its suite, as envelopeSuite reads it.
const suiteOfFormat = (byte: number): SuiteId | 'unknown' => envelopeSuite(Buffer.from([byte])) ?? 'unknown';
const suiteOfHash = (prefix: string): SuiteId | 'unknown' => (prefix === 'pbkdf2-sm3' ? 'sm' : prefix === 'scrypt' ? 'intl' : 'unknown');

/** What the status page reads from the database; the caller adds what lives in memory (checkpoints, alerts). */
export type SecurityCounts = Pick<SecurityStatusView, 'dataKeys' | 'passwords' | 'recent'>;

export async function securityCounts(db: Queryable): Promise<SecurityCounts> {
  const keys = await db.query<{ kek_version: number; fmt: number; n: string }>(
    'SELECT kek_version, get_byte(wrapped, 0) AS fmt, count(*) AS n FROM data_keys GROUP BY 1, 2 ORDER BY 1, 2',
  );
  const hashes = await db.query<{ prefix: string; n: string }>(
    `SELECT split_part(password_hash, '$', 1) AS prefix, count(*) AS n FROM users GROUP BY 1 ORDER BY 1`,
  );
  const recent = await db.query<{ failures: string; unknown: string; second: string; reuse: string; integrity: string }>(
    `SELECT count(*) FILTER (WHERE action = 'auth.login_failed') AS failures,
            count(*) FILTER (WHERE action = 'auth.login_failed' AND actor_id IS NULL) AS unknown,
            count(*) FILTER (WHERE action = 'auth.second_factor_failed') AS second,
            count(*) FILTER (WHERE action = 'auth.refresh_reuse') AS reuse,
            count(*) FILTER (WHERE action = 'integrity.failure') AS integrity
     FROM audit_log WHERE at > now() - interval '24 hours' AND action IN ('auth.login_failed', 'auth.second_factor_failed', 'auth.refresh_reuse', 'integrity.failure')`,
  );
  // Wrong passwords and wrong second-factor codes both count against an account.
  const accounts = await db.query<{ name: string; role: string; failures: string; held: boolean }>(
    `SELECT u.display_name AS name, u.role, count(*) AS failures, bool_or(a.details ? 'backoffS') AS held
     FROM audit_log a JOIN users u ON u.id = a.actor_id
     WHERE a.action IN ('auth.login_failed', 'auth.second_factor_failed') AND a.at > now() - interval '24 hours'
     GROUP BY u.id, u.display_name, u.role HAVING count(*) >= $1 ORDER BY count(*) DESC LIMIT 20`,
    [SUSPICIOUS_FAILURES],
  );
  const r = recent.rows[0]!;
  return {
    dataKeys: keys.rows.map((k) => ({ kekVersion: k.kek_version, suite: suiteOfFormat(k.fmt), count: Number(k.n) })),
    passwords: hashes.rows.map((h) => ({ suite: suiteOfHash(h.prefix), count: Number(h.n) })),
    recent: {
      loginFailures: Number(r.failures),
      unknownUserFailures: Number(r.unknown),
      secondFactorFailures: Number(r.second),
      accounts: accounts.rows.map((a) => ({ name: a.name, role: a.role, failures: Number(a.failures), heldBack: a.held })),
      refreshReuse: Number(r.reuse),
      integrityFailures: Number(r.integrity),
    },
  };
}

export async function readSecurityPolicy(db: Queryable): Promise<SecurityPolicyBody> {
  const r = await db.query<{ others: boolean; age: number | null }>(
    'SELECT others_require_second_factor AS others, password_max_age_days AS age FROM security_policy WHERE id = 1',
  );
  const p = r.rows[0];
  return { othersRequireSecondFactor: Boolean(p?.others), passwordMaxAgeDays: p?.age ?? null };
}

export async function secondFactorRoster(db: Queryable): Promise<SecondFactorUsersView> {
  const policy = await readSecurityPolicy(db);
  const users = await db.query<{ id: string; username: string; display_name: string; role: string; disabled: boolean; enrolled_at: Date | null; left: string }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.disabled_at IS NOT NULL AS disabled, t.enrolled_at,
            (SELECT count(*) FROM user_recovery_codes c WHERE c.user_id = u.id AND c.used_at IS NULL) AS left
     FROM users u LEFT JOIN user_totp t ON t.user_id = u.id ORDER BY u.role, u.username`,
  );
  return {
    policy,
    users: users.rows.map((u) => ({
      id: u.id,
      username: u.username,
      displayName: u.display_name,
      role: u.role as SecondFactorUsersView['users'][number]['role'],
      disabled: u.disabled,
      required: secondFactorRequired(u.role, policy.othersRequireSecondFactor),
      enrolledAt: u.enrolled_at?.toISOString() ?? null,
      recoveryCodesLeft: u.enrolled_at ? Number(u.left) : 0,
    })),
  };
}

/**
 * Saves the policy, audited in the same transaction, and answers who owes something under it now: a factor now
 * required and missing (when second factors are on at all), or a password now too old. The caller closes their consoles.
 */
export async function saveSecurityPolicy(db: Db, principal: Claims, body: SecurityPolicyBody, secondFactorOn: boolean): Promise<string[]> {
  return db.tx(async (q) => {
    await q.query(
      'UPDATE security_policy SET others_require_second_factor = $1, password_max_age_days = $2, updated_at = now(), updated_by = $3 WHERE id = 1',
      [body.othersRequireSecondFactor, body.passwordMaxAgeDays, principal.sub],
    );
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'security.policy',
      objectType: 'security_policy',
      objectId: '1',
      details: { othersRequireSecondFactor: body.othersRequireSecondFactor, passwordMaxAgeDays: body.passwordMaxAgeDays },
    });
    const r = await q.query<{ id: string }>(
      `SELECT u.id FROM users u WHERE u.disabled_at IS NULL AND (
         ($1 AND $3 AND NOT EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.enrolled_at IS NOT NULL))
         OR ($2::int IS NOT NULL AND coalesce(u.password_changed_at, u.created_at) < now() - make_interval(days => $2::int)))`,
      [body.othersRequireSecondFactor, body.passwordMaxAgeDays, secondFactorOn],
    );
    return r.rows.map((u) => u.id);
  });
}

/**
 * The one way to replace a lost phone: the factor and its recovery codes go, every session of the user ends, and the
 * user enrols again at the next login (their role may do nothing else until then). Audited with the reason.
 */
export async function resetSecondFactor(
  deps: { db: Db; secondFactor: Pick<SecondFactor, 'remove'>; auth: Pick<AuthSessions, 'revokeAllForUser'> },
  principal: Claims,
  userId: string,
  reason: string,
): Promise<void> {
  if (userId === principal.sub) throw new AppError('FORBIDDEN', ERROR_MESSAGES.admin.selfTotpReset);
  const target = await deps.db.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [userId]);
  if (!target.rows[0]) throw new AppError('NOT_FOUND', ERROR_MESSAGES.admin.userNotFound);
  const removed = await deps.db.tx(async (q) => {
    const had = await deps.secondFactor.remove(q, userId);
    if (!had) return false;
    await deps.auth.revokeAllForUser(q, userId, 'second_factor_reset');
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'security.second_factor_reset',
      objectType: 'user',
      objectId: userId,
      details: { reason, role: target.rows[0]!.role },
    });
    return true;
  });
  if (!removed) throw new AppError('CONFLICT', ERROR_MESSAGES.admin.totpNotBound);
}
