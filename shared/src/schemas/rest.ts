import { z } from 'zod';
import { ROLES, ROOM_STATES, SESSION_KINDS } from '../roles.js';
import { RoomCode } from './common.js';
import { KioskCheckView } from './kiosk-check.js';
import { LinkLevel } from './link.js';

/**
 * The one canonical form of a login name: NFKC (full-width letters and odd spaces become plain ones) then trim.
 * The login route looks the account up and keys every limiter on this same value, so "\tofficer2" or
 * "\u3000officer2" is the same account to both, never a fresh budget for the same password checks.
 */
export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').trim();
}

export const LoginBody = z.object({
  // Bounded before normalising (NFKC can lengthen a string), checked again after.
  username: z.string().max(256).transform(normalizeUsername).pipe(z.string().min(1).max(64)),
  password: z.string().min(1).max(256),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const UserView = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  /** For township roles: the township they belong to. */
  townshipCode: z.string().nullable(),
  /** Set at login while the account still has its one-time password: the console asks for a new one first. */
  mustChangePassword: z.boolean().optional(),
  /** A role that must have a second factor and has none yet: nothing else until it is enrolled. */
  mustEnrolSecondFactor: z.boolean().optional(),
});
export type UserView = z.infer<typeof UserView>;

/** The refresh token ("<session>.<secret>") rotates on every use; presenting a used one revokes the session. */
/** `idleTimeoutS`: the console logs out after this long without the user touching it (等保 session timeout). */
export const LoginResult = z.object({
  accessToken: z.string(),
  expiresAt: z.string(),
  refreshToken: z.string(),
  user: UserView,
  idleTimeoutS: z.number().int().positive(),
});
export type LoginResult = z.infer<typeof LoginResult>;

/** A kiosk's provisioned device credential, "<deviceId>.<secret>", exchanged for a short-lived token. */
export const KioskAuthBody = z.object({
  credential: z.string().regex(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{32,128}$/, 'malformed device credential'),
});
export type KioskAuthBody = z.infer<typeof KioskAuthBody>;

export const RoomInfo = z.object({ code: RoomCode, name: z.string(), kind: z.string() });
export type RoomInfo = z.infer<typeof RoomInfo>;

export const KioskAuthResult = z.object({ accessToken: z.string(), expiresAt: z.string(), room: RoomInfo });
export type KioskAuthResult = z.infer<typeof KioskAuthResult>;

export const RoomView = RoomInfo.extend({
  state: z.enum(ROOM_STATES),
  sessionId: z.uuid().nullable(),
  /** When the current state began (ISO time), for "waiting 2:13" and "in session 14:02" on the wall. */
  since: z.string().nullable(),
  /** Who answered, once someone has. */
  answeredBy: z.string().nullable(),
  sessionKind: z.enum(SESSION_KINDS).nullable(),
  /** The grade of the kiosk's line during a session (null when idle or not yet graded). */
  link: LinkLevel.nullable(),
  /** The kiosk's last check of its camera, microphone and network (null before its first). */
  check: KioskCheckView.nullable(),
});
export type RoomView = z.infer<typeof RoomView>;

export const HealthResult = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'down']),
  /** 'full': DATA_DIR is below its reserve (writes refused), or a write failed for lack of space. */
  storage: z.enum(['ok', 'full']),
  /** Free space of DATA_DIR's filesystem, or null if it could not be read. */
  storageFreeMb: z.number().int().nullable(),
  sfuWorkers: z.number().int(),
  version: z.string(),
  /** Why the status is 'degraded', in Chinese for the operator; empty when 'ok'. */
  reasons: z.array(z.string()),
});
export type HealthResult = z.infer<typeof HealthResult>;
