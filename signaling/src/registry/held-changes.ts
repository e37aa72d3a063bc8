import { AppError, type HeldChangeView, type ManagementLevel, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Queryable, Tx } from '../db/db.js';
import { nameKeys } from '../discipline/name-keys.js';
import { newId } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { linkUsersFromRegistry } from './user-links.js';

/**
 * 名册变更双人确认. A registry entry linked to a county account decides whom that account is recused from
 * (cases/conflicts.ts) and whether a principal leader may read sealed matters (cases/sealed.ts). One person's
 * officials import must not be able to change that (issue 16, second review, finding 4): for such an entry the
 * import holds its change to the fields below, and a second person — not the one who imported it, not the person
 * it describes — applies or rejects it. Entries linked only to township accounts change at import as before.
 */

/** The fields that decide recusal and jurisdiction; an import still updates the rest (the ID number) at once. */
export interface HeldEntry {
  name: string;
  unitCode: string | null;
  unitName: string | null;
  position: string;
  townshipCode: string | null;
  /** Null: the file had no 管理层级 column (the level on file stays). */
  managementLevel: ManagementLevel | null;
}

/** Roles whose registry link is guarded: every account of the county's own offices, enabled or not. */
const GUARDED = `u.role NOT IN ('township_handler', 'township_staff', 'kiosk')`;

/** The entries of `codes` as the registry holds them now; with `guardedOnly`, those linked to a guarded account. */
async function entriesOf(q: Queryable, codes: string[], guardedOnly: boolean): Promise<Map<string, HeldEntry>> {
  if (codes.length === 0) return new Map();
  const r = await q.query<{
    code: string;
    name: string;
    unit_code: string | null;
    unit_name: string | null;
    position: string;
    township_code: string | null;
    management_level: ManagementLevel;
  }>(
    `SELECT o.code, o.name, o.unit_code, un.name AS unit_name, o.position, o.township_code, o.management_level
     FROM officials o LEFT JOIN org_units un ON un.code = o.unit_code
     WHERE o.code = ANY($1::text[])${guardedOnly ? ` AND EXISTS (SELECT 1 FROM users u WHERE u.official_code = o.code AND ${GUARDED})` : ''}`,
    [codes],
  );
  return new Map(
    r.rows.map((o) => [
      o.code,
      {
        name: o.name,
        unitCode: o.unit_code,
        unitName: o.unit_name,
        position: o.position,
        townshipCode: o.township_code,
        managementLevel: o.management_level,
      },
    ]),
  );
}

/** The entries of `codes` linked to a guarded account, as the registry holds them now. */
export const guardedEntries = (q: Queryable, codes: string[]): Promise<Map<string, HeldEntry>> => entriesOf(q, codes, true);

/** The units (code → name now) that an entry linked to a guarded account belongs to. */
export async function guardedUnits(q: Queryable, unitCodes: string[]): Promise<Map<string, string>> {
  if (unitCodes.length === 0) return new Map();
  const r = await q.query<{ code: string; name: string }>(
    `SELECT un.code, un.name FROM org_units un
     WHERE un.code = ANY($1::text[]) AND EXISTS (
       SELECT 1 FROM officials o JOIN users u ON u.official_code = o.code WHERE o.unit_code = un.code AND ${GUARDED})`,
    [unitCodes],
  );
  return new Map(r.rows.map((u) => [u.code, u.name]));
}

/** Whether `proposed` would change any guarded field of `current` (a unit's name only when the file gives one). */
export function changesGuarded(current: HeldEntry, proposed: HeldEntry): boolean {
  return (
    current.name !== proposed.name ||
    current.unitCode !== proposed.unitCode ||
    (proposed.unitName !== null && proposed.unitName !== '' && current.unitName !== proposed.unitName) ||
    current.position !== proposed.position ||
    current.townshipCode !== proposed.townshipCode ||
    (proposed.managementLevel !== null && current.managementLevel !== proposed.managementLevel)
  );
}

/** Holds an import's change to a guarded entry, superseding one still pending for it; audited (ids only). */
export async function holdChange(q: Tx, code: string, proposed: HeldEntry, importId: string, by: Claims): Promise<void> {
  await q.query(`UPDATE registry_held_changes SET state = 'superseded' WHERE official_code = $1 AND state = 'pending'`, [code]);
  const id = newId();
  await q.query(
    `INSERT INTO registry_held_changes (id, official_code, import_id, proposed_by, name, unit_code, unit_name, position, township_code, management_level)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, code, importId, by.sub, proposed.name, proposed.unitCode, proposed.unitName, proposed.position, proposed.townshipCode, proposed.managementLevel],
  );
  await appendAudit(q, {
    actorId: by.sub,
    actorRole: by.role,
    action: 'registry.change_held',
    objectType: 'official',
    objectId: code,
    details: { importId },
  });
}

interface HeldRow {
  id: string;
  official_code: string;
  import_id: string | null;
  proposed_by: string;
  proposer_name: string;
  proposed_at: Date;
  name: string;
  unit_code: string | null;
  unit_name: string | null;
  position: string;
  township_code: string | null;
  management_level: ManagementLevel | null;
  state: HeldChangeView['state'];
}

const HELD_SELECT = `SELECT h.*, p.display_name AS proposer_name FROM registry_held_changes h JOIN users p ON p.id = h.proposed_by`;

/**
 * The second person is neither the one who imported the change nor the person the entry describes: linked to it now,
 * or before (an unlink must not make someone the second person for their own entry).
 */
async function mayDecide(q: Queryable, principal: Claims, row: HeldRow): Promise<boolean> {
  if (row.proposed_by === principal.sub) return false;
  const me = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT official_code FROM users WHERE id = $1 UNION ALL SELECT official_code FROM user_former_links WHERE user_id = $1) c
     WHERE c.official_code = $2`,
    [principal.sub, row.official_code],
  );
  return me.rows[0]?.n === 0;
}

async function viewOf(q: Queryable, principal: Claims, row: HeldRow, current: HeldEntry | undefined): Promise<HeldChangeView> {
  const proposed: HeldEntry = {
    name: row.name,
    unitCode: row.unit_code,
    unitName: row.unit_name,
    position: row.position,
    townshipCode: row.township_code,
    managementLevel: row.management_level,
  };
  return {
    id: row.id,
    officialCode: row.official_code,
    importId: row.import_id,
    proposedBy: { id: row.proposed_by, displayName: row.proposer_name },
    proposedAt: row.proposed_at.toISOString(),
    // An entry no account links to any more is shown as the import would leave it (nothing guarded to compare).
    current: current ?? proposed,
    proposed,
    state: row.state,
    mayDecide: row.state === 'pending' && (await mayDecide(q, principal, row)),
  };
}

/** The changes waiting for a second person, oldest first. */
export async function pendingChanges(db: Db, principal: Claims): Promise<HeldChangeView[]> {
  const rows = (await db.query<HeldRow>(`${HELD_SELECT} WHERE h.state = 'pending' ORDER BY h.proposed_at, h.id`)).rows;
  const current = await currentEntries(
    db,
    rows.map((r) => r.official_code),
  );
  return Promise.all(rows.map((r) => viewOf(db, principal, r, current.get(r.official_code))));
}

/** Every entry's fields as the registry holds them, linked or not (a held change outlives an unlinking). */
const currentEntries = (q: Queryable, codes: string[]): Promise<Map<string, HeldEntry>> => entriesOf(q, codes, false);

/**
 * Applies or rejects a held change, in one transaction with its audit row. Applying writes the entry (its unit
 * too), recomputes its standing and pinyin keys, and lets linked accounts follow the registry's name.
 */
export async function decideHeldChange(db: Db, principal: Claims, id: string, decision: 'apply' | 'reject'): Promise<HeldChangeView> {
  return db.tx(async (q) => {
    const row = (await q.query<HeldRow>(`${HELD_SELECT} WHERE h.id = $1 FOR UPDATE OF h`, [id])).rows[0];
    if (!row) throw new AppError('NOT_FOUND', ERROR_MESSAGES.registry.changeNotFound);
    if (row.state !== 'pending') throw new AppError('INVALID_STATE', ERROR_MESSAGES.registry.changeDecided);
    if (row.proposed_by === principal.sub) throw new AppError('FORBIDDEN', ERROR_MESSAGES.registry.changeOtherAdmin);
    if (!(await mayDecide(q, principal, row))) throw new AppError('CONFLICT_OF_INTEREST', ERROR_MESSAGES.registry.changeAboutYou);
    const state = decision === 'apply' ? 'applied' : 'rejected';
    if (decision === 'apply') await applyEntry(q, row, principal);
    await q.query(`UPDATE registry_held_changes SET state = $2, decided_by = $3, decided_at = now() WHERE id = $1`, [id, state, principal.sub]);
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: decision === 'apply' ? 'registry.change_applied' : 'registry.change_rejected',
      objectType: 'official',
      objectId: row.official_code,
      details: { importId: row.import_id },
    });
    const current = await currentEntries(q, [row.official_code]);
    return viewOf(q, principal, { ...row, state }, current.get(row.official_code));
  });
}

async function applyEntry(q: Tx, row: HeldRow, principal: Claims): Promise<void> {
  if (row.unit_code) {
    await q.query(
      `INSERT INTO org_units (code, name, township_code) VALUES ($1, $2, $3)
       ON CONFLICT (code) DO UPDATE SET name = coalesce(nullif($2, ''), org_units.name), township_code = coalesce($3, org_units.township_code)`,
      [row.unit_code, row.unit_name || row.unit_code, row.township_code],
    );
  }
  const keys = nameKeys(row.name);
  await q.query(
    `UPDATE officials SET name = $2, unit_code = $3, position = $4, township_code = $5, management_level = coalesce($6, management_level),
       name_pinyin = $7, name_initials = $8, imported_at = now() WHERE code = $1`,
    [row.official_code, row.name, row.unit_code, row.position, row.township_code, row.management_level, keys.pinyin, keys.initials],
  );
  await q.query(
    'UPDATE officials o SET standing = vj_official_standing(o.position, (SELECT u.name FROM org_units u WHERE u.code = o.unit_code)) WHERE o.code = $1',
    [row.official_code],
  );
  // Linked accounts follow the registry's spelling of the name (audited as this decider's).
  await linkUsersFromRegistry(q, { actorId: principal.sub, actorRole: principal.role, via: 'registry_import', importId: row.import_id ?? undefined });
}
