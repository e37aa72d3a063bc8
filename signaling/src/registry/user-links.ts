import { AppError, type AdminOfficialView, type AdminUserView, type Role, type UserLinkBody, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit, type AuditAction } from '../audit/audit-log.js';
import type { Db, Queryable, Tx } from '../db/db.js';
import { toView, type OfficialRow } from './cross-reference.js';

/**
 * Staff accounts linked to their person in the officials registry: what lets the conflict-of-interest checks
 * (cases/conflicts.ts) recognise a handler a petition names. Set by the admin screen, `npm run users:link`, and
 * the registry import; every change is audited with ids and codes only (no names in audit details or logs).
 */

/** The same key as SQL's vj_name_key: NFKC folds full-width forms, and whitespace in a name means nothing. */
export function personNameKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/gu, '');
}

// Not yet in AUDIT_ACTIONS (signaling/src/audit/audit-log.ts belongs to another change; to be listed there).
const LINK: AuditAction = 'user.link';
const UNLINK: AuditAction = 'user.unlink';

export interface LinkActor {
  actorId: string | null;
  actorRole: Role | null;
  /** Where the change came from, for the audit row. */
  via: 'admin' | 'cli' | 'registry_import';
  importId?: string;
}

/** Links (or unlinks) one account, with its audit row, in the caller's transaction. */
export async function setUserLink(q: Tx, userId: string, target: UserLinkBody, actor: LinkActor): Promise<void> {
  const u = await q.query<{ township_code: string | null; official_code: string | null; person_name: string | null }>(
    'SELECT township_code, official_code, person_name FROM users WHERE id = $1 FOR UPDATE',
    [userId],
  );
  const user = u.rows[0];
  if (!user) throw new AppError('NOT_FOUND', ERROR_MESSAGES.registry.userNotFound);
  let officialCode: string | null = null;
  let personName: string | null = null;
  if (target.link === 'official') {
    const o = await q.query<{ code: string; name: string }>('SELECT code, name FROM officials WHERE code = $1', [target.officialCode]);
    if (!o.rows[0]) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.noSuchOfficialCode, ['officialCode']);
    officialCode = o.rows[0].code;
    personName = personNameKey(o.rows[0].name);
  } else if (target.link === 'name') {
    personName = personNameKey(target.personName);
    if (!personName) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.nameRequired, ['personName']);
  }
  await keepFormerLink(q, userId, user, { official_code: officialCode, person_name: personName });
  await q.query('UPDATE users SET official_code = $2, person_name = $3 WHERE id = $1', [userId, officialCode, personName]);
  await appendAudit(q, {
    actorId: actor.actorId,
    actorRole: actor.actorRole,
    action: target.link === 'none' ? UNLINK : LINK,
    objectType: 'user',
    objectId: userId,
    townshipCode: user.township_code,
    details: {
      via: actor.via,
      link: target.link,
      officialCode,
      previousOfficialCode: user.official_code,
      ...(actor.importId ? { importId: actor.importId } : {}),
    },
  });
}

type Link = { official_code: string | null; person_name: string | null };

/**
 * The person an account is being unlinked from, or linked away from, keeps recusing it (user_former_links, read by
 * cases/conflicts.ts): a link removed by one person, alone and at once, must not hand an accused handler the matter
 * about them. A link made by mistake then costs a false match, which the conflict rule accepts, never a missed one:
 * the account is recused from that person's matters, a handler's township gets none of them by 交办 (they stay with
 * the county), and a principal leader's are filed sealed.
 */
async function keepFormerLink(q: Queryable, userId: string, was: Link, next: Link): Promise<void> {
  if (was.official_code === null && was.person_name === null) return;
  if (was.official_code === next.official_code && was.person_name === next.person_name) return;
  await q.query('INSERT INTO user_former_links (user_id, official_code, person_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    userId,
    was.official_code,
    was.person_name,
  ]);
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: AdminUserView['role'];
  township_code: string | null;
  disabled_at: Date | null;
  person_name: string | null;
  o_code: string | null;
  o_name: string | null;
  o_unit: string | null;
  o_position: string | null;
  o_township: string | null;
}

/** Links (or unlinks) one account in a transaction of its own, with its audit row; answers the account as it is now. */
export async function linkUser(db: Db, userId: string, target: UserLinkBody, actor: LinkActor): Promise<AdminUserView | undefined> {
  await db.tx((q) => setUserLink(q, userId, target, actor));
  return (await adminUserViews(db, userId))[0];
}

/** Accounts as the admin screen lists them, with the person each is linked to. */
export async function adminUserViews(q: Queryable, onlyId?: string): Promise<AdminUserView[]> {
  const r = await q.query<UserRow>(
    `SELECT u.id, u.username, u.display_name, u.role, u.township_code, u.disabled_at, u.person_name,
       o.code AS o_code, o.name AS o_name, ou.name AS o_unit, o.position AS o_position, o.township_code AS o_township
     FROM users u LEFT JOIN officials o ON o.code = u.official_code LEFT JOIN org_units ou ON ou.code = o.unit_code
     WHERE $1::uuid IS NULL OR u.id = $1 ORDER BY u.role, u.username`,
    [onlyId ?? null],
  );
  return r.rows.map((u) => ({
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    townshipCode: u.township_code,
    disabled: u.disabled_at !== null,
    personName: u.person_name,
    official: u.o_code ? { code: u.o_code, name: u.o_name ?? '', unitName: u.o_unit, position: u.o_position ?? '', townshipCode: u.o_township } : null,
  }));
}

/** Registry entries for the link dialog: a name (from its start), a unit (anywhere in it) or an exact code. */
export async function searchOfficialsForLink(q: Queryable, text: string, limit: number): Promise<AdminOfficialView[]> {
  const key = personNameKey(text);
  const like = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
  const r = await q.query<OfficialRow & { linked: string[] | null }>(
    `SELECT o.code, o.name, ou.name AS unit_name, o.position, o.township_code, o.management_level, o.standing,
       (SELECT array_agg(u.username ORDER BY u.username) FROM users u WHERE u.official_code = o.code) AS linked
     FROM officials o LEFT JOIN org_units ou ON ou.code = o.unit_code
     WHERE o.code = $1 OR vj_name_key(o.name) LIKE $2 OR ou.name LIKE $3
     ORDER BY (vj_name_key(o.name) = $4) DESC, o.name, o.code LIMIT $5`,
    [text.trim(), `${like(key)}%`, `%${like(text.trim())}%`, key, limit],
  );
  return r.rows.map((o) => ({ ...toView(o), linkedUsers: o.linked ?? [] }));
}

export interface RegistryLinkResult {
  /** Accounts known by name only that the registry now identifies (exactly one entry of that name there). */
  linked: number;
  /** Linked accounts whose registry name changed: their name follows the registry. */
  renamed: number;
  /** Accounts known by name whose name fits several entries: left for the admin to pick. */
  ambiguous: number;
}

/**
 * After an officials import: township accounts known by name get their registry entry when exactly one entry of
 * that name exists (in the account's own township, or without one), and linked accounts follow the registry's
 * spelling of their name. Each change is audited as the import's starter's. A county account is never linked by an
 * import: who it is decides what it is recused from, so the system administrator links it (admin page or
 * `npm run users:link`), and changes to its entry wait for a second person (held-changes.ts).
 */
export async function linkUsersFromRegistry(q: Tx, actor: LinkActor): Promise<RegistryLinkResult> {
  // The spelling the account was known by before the registry's keeps recusing it, as an unlink's does.
  await q.query(
    `INSERT INTO user_former_links (user_id, official_code, person_name)
     SELECT u.id, u.official_code, u.person_name FROM users u JOIN officials o ON o.code = u.official_code
     WHERE u.person_name IS NOT NULL AND u.person_name IS DISTINCT FROM vj_name_key(o.name)
     ON CONFLICT DO NOTHING`,
  );
  const renamed = await q.query<{ id: string; township_code: string | null; official_code: string }>(
    `UPDATE users u SET person_name = vj_name_key(o.name) FROM officials o
     WHERE o.code = u.official_code AND u.person_name IS DISTINCT FROM vj_name_key(o.name)
     RETURNING u.id, u.township_code, u.official_code`,
  );
  const candidates = await q.query<{ id: string; township_code: string | null; codes: string[] }>(
    `SELECT u.id, u.township_code, array_agg(o.code ORDER BY o.code) AS codes
     FROM users u JOIN officials o ON vj_name_key(o.name) = vj_name_key(u.person_name)
       AND (u.township_code IS NULL OR o.township_code IS NULL OR o.township_code = u.township_code)
     WHERE u.official_code IS NULL AND u.person_name IS NOT NULL AND u.role IN ('township_handler', 'township_staff')
     GROUP BY u.id, u.township_code`,
  );
  const unique = candidates.rows.filter((c) => c.codes.length === 1);
  for (const c of unique)
    await q.query('UPDATE users SET official_code = $2, person_name = (SELECT vj_name_key(name) FROM officials WHERE code = $2) WHERE id = $1', [
      c.id,
      c.codes[0],
    ]);
  const details = (officialCode: string, change: string) => ({
    via: actor.via,
    link: 'official',
    officialCode,
    change,
    ...(actor.importId ? { importId: actor.importId } : {}),
  });
  // Audited last: appendAudit holds the chain lock until commit.
  for (const u of renamed.rows) {
    await appendAudit(q, {
      actorId: actor.actorId,
      actorRole: actor.actorRole,
      action: LINK,
      objectType: 'user',
      objectId: u.id,
      townshipCode: u.township_code,
      details: details(u.official_code, 'name_from_registry'),
    });
  }
  for (const c of unique) {
    await appendAudit(q, {
      actorId: actor.actorId,
      actorRole: actor.actorRole,
      action: LINK,
      objectType: 'user',
      objectId: c.id,
      townshipCode: c.township_code,
      details: details(c.codes[0]!, 'matched_by_name'),
    });
  }
  return { linked: unique.length, renamed: renamed.rows.length, ambiguous: candidates.rows.length - unique.length };
}
