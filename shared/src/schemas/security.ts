import { z } from 'zod';

const Suite = z.enum(['sm', 'intl', 'unknown']);

/**
 * What the security administrator (安全管理员) sees of the system's protection: which suite seals new data, how
 * much is still under an older suite or master key version (what `npm run keys:rotate` would re-seal), the
 * audit chain's last signed checkpoint and open integrity alarms. Counts and versions only: no key, no petition.
 */
export const SecurityStatusView = z.object({
  suite: z.enum(['sm', 'intl']),
  dataKeys: z.array(z.object({ kekVersion: z.number().int(), suite: Suite, count: z.number().int() })),
  passwords: z.array(z.object({ suite: Suite, count: z.number().int() })),
  checkpoint: z.object({ seq: z.string(), at: z.string() }).nullable(),
  forgedCheckpoints: z.number().int(),
  integrityAlerts: z.number().int(),
  /** The last 24 hours, from the audit log: signs of password guessing, token theft and tampering. */
  recent: z.object({
    loginFailures: z.number().int(),
    unknownUserFailures: z.number().int(),
    /** Wrong second-factor codes (TOTP or recovery code) after a right password. */
    secondFactorFailures: z.number().int(),
    /** Accounts with at least SUSPICIOUS_FAILURES failed logins, most first. */
    accounts: z.array(z.object({ name: z.string(), role: z.string(), failures: z.number().int(), heldBack: z.boolean() })),
    refreshReuse: z.number().int(),
    integrityFailures: z.number().int(),
  }),
});
/** Failed logins on one account within 24 hours from which the security page names it. */
export const SUSPICIOUS_FAILURES = 5;
export type SecurityStatusView = z.infer<typeof SecurityStatusView>;
