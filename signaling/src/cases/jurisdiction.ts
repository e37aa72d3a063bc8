import {
  AppError,
  jurisdictionBars,
  MANAGEMENT_LEVEL_LABELS,
  type AccusedJurisdictionBody,
  type JurisdictionAccused,
  type JurisdictionBar,
  type ManagementLevel,
  type TownshipStanding,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Queryable, Tx } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { accusedIsUser, assertNotNamed } from './conflicts.js';

export interface AccusedJurisdictionRow {
  ord: number;
  name: string;
  unit: string;
  position: string;
  township_code: string | null;
  official_code: string | null;
  /** As the rule reads it: the linked registry entry's where it says (it is the personnel system's word), else the row's. */
  management_level: ManagementLevel;
  standing: TownshipStanding;
  /** The township the person serves in: the one entered, else the registry's. */
  serves_in: string | null;
  /** The registry's own values, when linked (the case screen shows they are not the officer's to change). */
  registry_level: ManagementLevel | null;
  registry_standing: TownshipStanding | null;
}

/**
 * Every accused person of a petition with the level and standing the jurisdiction rule reads, in intake order.
 * Standing: the registry's where it gives one, else the officer's; else, a person the conflict rule recognises as a
 * township handler (镇街纪（工）委, however the villager named them: accusedIsUser) is of that township's commission.
 * When the name fits handlers of several townships, the petition's own is the one that counts.
 */
export async function accusedJurisdiction(q: Queryable, petitionId: string): Promise<AccusedJurisdictionRow[]> {
  const r = await q.query<AccusedJurisdictionRow>(
    `SELECT a.ord, a.name, a.unit, a.position, a.township_code, a.official_code,
       CASE WHEN coalesce(o.management_level, 'unknown') <> 'unknown' THEN o.management_level ELSE a.management_level END AS management_level,
       CASE WHEN coalesce(o.standing, 'none') <> 'none' THEN o.standing WHEN a.standing <> 'none' THEN a.standing WHEN h.township_code IS NOT NULL THEN 'commission' ELSE 'none' END AS standing,
       coalesce(a.township_code, o.township_code, h.township_code) AS serves_in,
       o.management_level AS registry_level, o.standing AS registry_standing
     FROM petition_accused a
       JOIN petitions p ON p.id = a.petition_id
       LEFT JOIN officials o ON o.code = a.official_code
       LEFT JOIN LATERAL (
         SELECT u.township_code FROM users u
         WHERE u.role = 'township_handler' AND u.disabled_at IS NULL AND ${accusedIsUser('a', 'u', true)}
         ORDER BY (u.township_code = p.township_code) DESC LIMIT 1) h ON true
     WHERE a.petition_id = $1 ORDER BY a.ord`,
    [petitionId],
  );
  return r.rows;
}

const forRule = (a: AccusedJurisdictionRow): JurisdictionAccused => ({ managementLevel: a.management_level, standing: a.standing, townshipCode: a.serves_in });

/** Why these accused keep the matter from going down to `township` (what the case screen says instead of offering 交办). */
export const referralBars = (rows: AccusedJurisdictionRow[], township: string): JurisdictionBar[] => jurisdictionBars(rows.map(forRule), township);

/**
 * Refuses sending the matter down to `township` when the rule bars it (JURISDICTION: no role overrides it). Run
 * before anything is written, inside the action's transaction (the petition row is locked, so the accused rows,
 * which change only under that lock, cannot change between the check and the referral).
 */
export async function assertMayGoDown(q: Queryable, petitionId: string, township: string): Promise<void> {
  const bars = referralBars(await accusedJurisdiction(q, petitionId), township);
  if (bars.length) throw new AppError('JURISDICTION', ERROR_MESSAGES.cases.jurisdictionBars[bars[0]!]);
}

/** The audit value for a standing: 'none' already reads 解除 (an unlinked account) in the audit page's words. */
const auditStanding = (s: TownshipStanding) => (s === 'none' ? 'no_standing' : s);

/**
 * The county confirms or corrects accused persons' levels and standings: a person entered without one, or a
 * petition from before levels. Only while the matter is still the county's to send (received or accepted); a
 * linked person's registry values are the personnel system's and are not changed here. The rows and the audit row
 * commit together; a refusal changes nothing.
 */
/** The officer's confirmation as one transaction (rows and audit row together). */
export function confirmAccusedJurisdiction(db: Db, principal: Claims, petitionId: string, body: z.output<typeof AccusedJurisdictionBody>): Promise<void> {
  return db.tx((q) => setAccusedJurisdiction(q, principal, petitionId, body, new Date()));
}

export async function setAccusedJurisdiction(
  q: Tx,
  principal: Claims,
  petitionId: string,
  body: z.output<typeof AccusedJurisdictionBody>,
  now: Date,
): Promise<void> {
  const p = await q.query<{ status: string; township_code: string }>('SELECT status, township_code FROM petitions WHERE id = $1 AND NOT sealed FOR UPDATE', [
    petitionId,
  ]);
  const row = p.rows[0];
  // A sealed matter answers as a missing one: only the principal leader's page reads it.
  if (!row) throw new AppError('NOT_FOUND', ERROR_MESSAGES.cases.petitionNotFound);
  await assertNotNamed(q, principal.sub, petitionId);
  if (row.status !== 'received' && row.status !== 'accepted') throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.levelLocked);
  const accused = await accusedJurisdiction(q, petitionId);
  const byOrd = new Map(accused.map((a) => [a.ord, a]));
  const stored = await q.query<{ ord: number; management_level: ManagementLevel; standing: TownshipStanding }>(
    'SELECT ord, management_level, standing FROM petition_accused WHERE petition_id = $1',
    [petitionId],
  );
  const was = new Map(stored.rows.map((s) => [s.ord, s]));
  const changed: { ord: number; level: ManagementLevel; standing: TownshipStanding; levelWas: ManagementLevel; standingWas: TownshipStanding }[] = [];
  for (const c of body.accused) {
    const a = byOrd.get(c.index);
    const s = was.get(c.index);
    if (!a || !s) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.noSuchAccused(c.index + 1), ['accused']);
    if (a.registry_level && a.registry_level !== 'unknown' && c.managementLevel !== a.registry_level) {
      throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.levelFromRegistry(c.index + 1, MANAGEMENT_LEVEL_LABELS[a.registry_level]), ['accused']);
    }
    if (a.registry_standing && a.registry_standing !== 'none' && c.standing !== a.registry_standing) {
      throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.townshipRoleFromRegistry(c.index + 1), ['accused']);
    }
    if (s.management_level !== c.managementLevel || s.standing !== c.standing)
      changed.push({ ord: c.index, level: c.managementLevel, standing: c.standing, levelWas: s.management_level, standingWas: s.standing });
  }
  if (!changed.length) return;
  for (const c of changed)
    await q.query('UPDATE petition_accused SET management_level = $3, standing = $4 WHERE petition_id = $1 AND ord = $2', [
      petitionId,
      c.ord,
      c.level,
      c.standing,
    ]);
  await q.query('UPDATE petitions SET updated_at = $2, version = version + 1 WHERE id = $1', [petitionId, now]);
  // Positions and codes only: the audit row never names the accused.
  await appendAudit(q, {
    actorId: principal.sub,
    actorRole: principal.role,
    action: 'case.accused_jurisdiction',
    objectType: 'petition',
    objectId: petitionId,
    townshipCode: row.township_code,
    details: {
      positions: changed.map((c) => c.ord + 1).join('、'),
      managementLevels: changed.map((c) => c.level).join(','),
      managementLevelsWere: changed.map((c) => c.levelWas).join(','),
      standings: changed.map((c) => auditStanding(c.standing)).join(','),
      standingsWere: changed.map((c) => auditStanding(c.standingWas)).join(','),
    },
  });
}
