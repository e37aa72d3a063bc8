import { randomUUID } from 'node:crypto';
import type { Role } from '@vj/shared';
import type { Db } from '@vj/signaling';
import { DEMO_USERS, loadRooms, seedDemoUsers, syncRooms } from '../../signaling/src/db/seed.js';
import type { Claims } from '../../signaling/src/security/jwt.js';

/** Seeds the rooms and demo users into a migrated database and returns the claims services see for them. */
export async function seededClaims<U extends string>(db: Db, usernames: readonly U[]): Promise<Record<U, Claims>> {
  await syncRooms(db, loadRooms().rooms);
  // The principal leader's role exists from migration 0023 on, issue 17's roles from 0027: tests that migrate an
  // older schema (and never ask for those accounts) seed the other demo users only.
  const newer: readonly Role[] = ['county_leader', 'case_reviewer', 'conduct_office', 'district_inspector', 'district_leader'];
  await seedDemoUsers(
    db,
    DEMO_USERS.filter((u) => !newer.includes(u.role) || (usernames as readonly string[]).includes(u.username)),
  );
  const users = await db.query<{ id: string; username: string; role: Role; township_code: string | null }>(
    'SELECT id, username, role, township_code FROM users WHERE username = ANY($1::text[])',
    [usernames],
  );
  const out = {} as Record<U, Claims>;
  for (const u of users.rows) {
    out[u.username as U] = {
      sub: u.id,
      role: u.role,
      twp: u.township_code ?? undefined,
      name: u.username,
      sid: randomUUID(),
      exp: 0,
      iat: 0,
      aud: 'vj:console',
      iss: 'vj-signaling',
    } as Claims;
  }
  return out;
}
