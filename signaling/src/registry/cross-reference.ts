import type { CrossReferenceView, ManagementLevel, OfficialView, TownshipStanding } from '@vj/shared';
import type { Queryable } from '../db/db.js';

export interface OfficialRow {
  code: string;
  name: string;
  unit_name: string | null;
  position: string;
  township_code: string | null;
  management_level: ManagementLevel;
  standing: TownshipStanding;
}

// The unit's name is looked up for the rows returned, not joined for every candidate: a common name matches
// dozens of officials, and a join made the planner hash the whole unit table for each petition.
export const OFFICIAL_COLUMNS =
  'o.code, o.name, (SELECT u.name FROM org_units u WHERE u.code = o.unit_code) AS unit_name, o.position, o.township_code, o.management_level, o.standing';
export const toView = (o: OfficialRow): OfficialView => ({
  code: o.code,
  name: o.name,
  unitName: o.unit_name,
  position: o.position,
  townshipCode: o.township_code,
  managementLevel: o.management_level,
  standing: o.standing,
});

/** Registry entries a named person may be: same name, and the same unit when the petition gives one. */
export const MATCHES = (name: string, unit: string) =>
  `FROM officials o WHERE o.name = ${name}::text AND (${unit}::text = '' OR o.unit_code = ${unit}::text OR o.unit_code IN (SELECT u.code FROM org_units u WHERE u.name = ${unit}::text))`;

/**
 * The petitions that name a registry entry: linked to it at intake, or naming the person unlinked by the same
 * name (and unit, when the petition gave one). Never a sealed matter: every such read carries `NOT p.sealed`.
 * A condition on `p` (petitions) over three SQL expressions.
 */
export const NAMING = (code: string, name: string, unitName: string) =>
  `NOT p.sealed AND p.id IN (
     -- Two lookups, each on its own index (an OR of them scanned every unlinked accused row).
     SELECT pa.petition_id FROM petition_accused pa WHERE pa.official_code = ${code}
     UNION ALL
     SELECT pa.petition_id FROM petition_accused pa WHERE pa.name = ${name} AND pa.official_code IS NULL AND (pa.unit = '' OR pa.unit = coalesce(${unitName}, '')))`;

/**
 * At intake: the officer's explicit choice, else the registry entry when exactly one matches. An SQL expression
 * over three parameters (explicit code, name, unit), so the insert resolves in the same statement.
 */
export const resolvedOfficialSql = (code: string, name: string, unit: string): string =>
  `COALESCE(${code}::text, (SELECT CASE WHEN count(*) = 1 THEN min(m.code) END FROM (SELECT o.code ${MATCHES(name, unit)} LIMIT 2) m))`;

export async function searchOfficials(q: Queryable, text: string, limit: number): Promise<OfficialView[]> {
  const r = await q.query<OfficialRow>(
    `SELECT ${OFFICIAL_COLUMNS} FROM officials o
     WHERE o.name = $1 OR o.code = $1 OR o.name LIKE $2 ORDER BY (o.name = $1) DESC, o.name, o.code LIMIT $3`,
    [text, `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit],
  );
  return r.rows.map(toView);
}

/**
 * For each person a petition names: who they are in the registry (the linked entry, else up to 5 candidates by
 * name and unit; a link always names an entry, by foreign key), their prior discipline records, and the other petitions that name them (repeat allegations).
 * County-only: it lists case codes and townships. One statement: the per-person, per-match lookups run inside
 * the database (LATERAL joins, JSON aggregates) instead of a round trip each.
 */
export async function crossReference(q: Queryable, petitionId: string): Promise<CrossReferenceView> {
  type Others = {
    id: string;
    case_code: string;
    township_code: string;
    status: CrossReferenceView['accused'][number]['matches'][number]['otherPetitions'][number]['status'];
    created_at: string;
  }[];
  const r = await q.query<
    OfficialRow & {
      ord: number;
      acc_name: string;
      acc_unit: string;
      linked: boolean | null;
      discipline: CrossReferenceView['accused'][number]['matches'][number]['discipline'];
      others: Others;
    }
  >(
    `SELECT acc.ord, acc.name AS acc_name, acc.unit AS acc_unit, m.code, m.name, m.unit_name, m.position, m.township_code, m.management_level, m.standing, m.linked,
       (SELECT coalesce(json_agg(json_build_object('id', d.id, 'decidedOn', to_char(d.decided_on, 'YYYY-MM-DD'), 'kind', d.kind, 'reason', d.reason, 'authority', d.authority) ORDER BY d.decided_on DESC), '[]')
          FROM (SELECT * FROM discipline_records WHERE official_code = m.code ORDER BY decided_on DESC LIMIT 20) d) AS discipline,
       (SELECT coalesce(json_agg(x ORDER BY x.created_at DESC), '[]')
          FROM (SELECT p.id, p.case_code, p.township_code, p.status, p.created_at FROM petitions p
                WHERE p.id <> $1 AND ${NAMING('m.code', 'm.name', 'm.unit_name')}
                ORDER BY p.created_at DESC, p.id LIMIT 20) x) AS others
     FROM petition_accused acc
     LEFT JOIN LATERAL (
       SELECT ${OFFICIAL_COLUMNS}, true AS linked FROM officials o WHERE o.code = acc.official_code
       UNION ALL
       (SELECT ${OFFICIAL_COLUMNS}, false AS linked ${MATCHES('acc.name', "coalesce(acc.unit, '')")}
          AND acc.official_code IS NULL ORDER BY o.code LIMIT 5)
     ) m ON true
     WHERE acc.petition_id = $1
     ORDER BY acc.ord, m.code`,
    [petitionId],
    // Planning this statement takes longer than running it (about 1 ms against 0.2-0.5 ms on a county's
    // registry); prepared, each connection plans it once and keeps that generic plan (db.ts), which does not
    // depend on the petition: every lookup in it goes by index from the row before.
    { prepare: 'registry_cross_reference' },
  );
  const out: CrossReferenceView['accused'] = [];
  let current: CrossReferenceView['accused'][number] | undefined;
  let ord: number | undefined;
  for (const row of r.rows) {
    if (!current || row.ord !== ord) {
      ord = row.ord;
      out.push((current = { name: row.acc_name, unit: row.acc_unit, matches: [] }));
    }
    if (row.code === null) continue; // nobody in the registry matches this person
    current.matches.push({
      ...toView(row),
      linked: row.linked === true,
      discipline: row.discipline,
      otherPetitions: row.others.map((p) => ({
        id: p.id,
        caseCode: p.case_code,
        townshipCode: p.township_code,
        status: p.status,
        createdAt: new Date(p.created_at).toISOString(),
      })),
    });
  }
  return { accused: out };
}
