import { z } from 'zod';
import { Id } from './common.js';
import { ADMIN_ROLES, type Role } from '../roles.js';
import { LoginResult } from './rest.js';

/**
 * 等保三级 second factor: TOTP (RFC 6238, 6 digits, 30 s) from an authenticator app, with one-time recovery
 * codes for a lost phone. Administrators and supervisors must have it; other console users when the security
 * policy says so.
 */
export const SECOND_FACTOR_ALWAYS: readonly Role[] = [...ADMIN_ROLES, 'county_supervisor', 'county_leader'];

/** Whether a role must enrol, given the security policy's choice for everyone else. */
export function secondFactorRequired(role: string, othersRequired: boolean): boolean {
  return role !== 'kiosk' && ((SECOND_FACTOR_ALWAYS as readonly string[]).includes(role) || othersRequired);
}

// Full-width digits and stray spaces are what a phone keyboard gives; NFKC makes them the code.
const digitsOnly = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');
export const TotpCode = z
  .string()
  .max(32)
  .transform(digitsOnly)
  .pipe(z.string().regex(/^\d{6}$/, '动态口令应为 6 位数字'));

/** Recovery codes look like "k7m2p-x9q4t": 10 characters of a 32-letter alphabet, case and dashes ignored. */
export const RECOVERY_CODE_COUNT = 10;
const recoveryKey = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s-]+/g, '');
export const RecoveryCode = z
  .string()
  .max(64)
  .transform(recoveryKey)
  .pipe(z.string().regex(/^[a-z2-9]{10}$/, '恢复码格式不正确'));

/** The login's answer when a password was right but a second factor is still owed. */
export const SecondFactorChallenge = z.object({ secondFactor: z.literal('totp'), challenge: z.string(), expiresAt: z.string() });
export type SecondFactorChallenge = z.infer<typeof SecondFactorChallenge>;
export const LoginAnswer = z.union([LoginResult, SecondFactorChallenge]);
export type LoginAnswer = z.infer<typeof LoginAnswer>;
export function needsSecondFactor(a: LoginAnswer): a is SecondFactorChallenge {
  return 'secondFactor' in a;
}

export const SecondFactorBody = z
  .object({ challenge: z.string().min(1).max(4096), code: TotpCode.optional(), recoveryCode: RecoveryCode.optional() })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), { message: '请填写动态口令或恢复码之一', path: ['code'] });
export type SecondFactorBody = z.infer<typeof SecondFactorBody>;

/** Shown once, at enrolment: the secret as text (for typing into an app) and as a QR code (SVG). */
export const TotpEnrolment = z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string(), issuer: z.string(), account: z.string() });
export type TotpEnrolment = z.infer<typeof TotpEnrolment>;
/** Binding a factor asks for the password again: a session left open (or stolen) cannot bind someone else's phone. */
export const TotpBeginBody = z.object({ password: z.string().min(1, '请输入当前密码').max(256) });
export const TotpConfirmBody = z.object({ code: TotpCode });
export const RecoveryCodesView = z.object({ recoveryCodes: z.array(z.string()).length(RECOVERY_CODE_COUNT) });
export type RecoveryCodesView = z.infer<typeof RecoveryCodesView>;

/** A user's own account security: second factor, password age, and their live login sessions. */
export const MyAccountView = z.object({
  secondFactor: z.object({ enrolled: z.boolean(), required: z.boolean(), enrolledAt: z.string().nullable(), recoveryCodesLeft: z.number().int() }),
  password: z.object({ changedAt: z.string().nullable(), expiresAt: z.string().nullable() }),
  sessions: z.array(
    z.object({
      id: z.uuid(),
      createdAt: z.string(),
      lastActiveAt: z.string(),
      current: z.boolean(),
      userAgent: z.string().nullable(),
      address: z.string().nullable(),
    }),
  ),
});
export type MyAccountView = z.infer<typeof MyAccountView>;
export const SessionIdParams = z.object({ sid: Id });

/** Set by the security administrator (安全管理员); audited. */
export const SecurityPolicyBody = z.object({
  /** County officers and township users must enrol a second factor too (administrators and supervisors always must). */
  othersRequireSecondFactor: z.boolean(),
  /** Passwords older than this must be changed at the next request; null: no expiry. */
  passwordMaxAgeDays: z.number().int().min(30).max(730).nullable(),
});
export type SecurityPolicyBody = z.infer<typeof SecurityPolicyBody>;

export const SecondFactorUsersView = z.object({
  policy: SecurityPolicyBody,
  users: z.array(
    z.object({
      id: z.uuid(),
      username: z.string(),
      displayName: z.string(),
      role: z.string(),
      disabled: z.boolean(),
      required: z.boolean(),
      enrolledAt: z.string().nullable(),
      recoveryCodesLeft: z.number().int(),
    }),
  ),
});
export type SecondFactorUsersView = z.infer<typeof SecondFactorUsersView>;
export const UserIdParams = z.object({ id: Id });
export const SecondFactorResetBody = z.object({ reason: z.string().trim().min(4, '请写明重置原因（至少 4 个字）').max(200) });
