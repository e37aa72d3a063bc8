import type { CrossReferenceView, OfficialView } from '@vj/shared';
import type { Queryable } from '../db/db.js';

type Accused = { name: string; unit?: string; officialCode?: string | null };

interface OfficialRow {
  code: string;
  name: string;
  unit_name: string | null;
  position: string;
  township_code: string | null;
}

const OFFICIAL_COLUMNS = 'o.code, o.name, u.name AS unit_name, o.position, o.township_code';
const toView = (o: OfficialRow): OfficialView => ({ code: o.code, name: o.name, unitName: o.unit_name, position: o.position, townshipCode: o.township_code });

/** Registry entries a named person may be: same name, and the same unit when the petition gives one. */
const MATCHES = (name: string, unit: string) =>
  `FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code WHERE o.name = ${name}::text AND (${unit}::text = '' OR u.name = ${unit}::text OR o.unit_code = ${unit}::text)`;

async function candidates(q: Queryable, a: Accused, limit: number): Promise<OfficialRow[]> {
  const r = await q.query<OfficialRow>(`SELECT ${OFFICIAL_COLUMNS} ${MATCHES('$1', '$2')} ORDER BY o.code LIMIT $3`, [a.name, a.unit ?? '', limit]);
  return r.rows;
}

/**
 * At intake: the officer's explicit choice, else the registry entry when exactly one matches. An SQL expression
 * over three parameters (explicit code, name, unit), so the insert resolves in the same statement.
 */
export const resolvedOfficialSql = (code: string, name: string, unit: string): string =>
  `COALESCE(${code}::text, (SELECT CASE WHEN count(*) = 1 THEN min(m.code) END FROM (SELECT o.code ${MATCHES(name, unit)} LIMIT 2) m))`;

export async function searchOfficials(q: Queryable, text: string, limit: number): Promise<OfficialView[]> {
  const r = await q.query<OfficialRow>(
    `SELECT ${OFFICIAL_COLUMNS} FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code
     WHERE o.name = $1 OR o.code = $1 OR o.name LIKE $2 ORDER BY (o.name = $1) DESC, o.name, o.code LIMIT $3`,
    [text, `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit],
  );
  return r.rows.map(toView);
}

/**
 * For each person a petition names: who they are in the registry, their prior discipline records, and the
 * other petitions that name them (repeat allegations). County-only: it lists case codes and townships.
 */
export async function crossReference(q: Queryable, petitionId: string): Promise<CrossReferenceView> {
  const accused = await q.query<{ name: string; unit: string; official_code: string | null }>(
    'SELECT name, unit, official_code FROM petition_accused WHERE petition_id = $1 ORDER BY ord',
    [petitionId],
  );
  const out: CrossReferenceView['accused'] = [];
  for (const a of accused.rows) {
    const linked = a.official_code
      ? (await q.query<OfficialRow>(`SELECT ${OFFICIAL_COLUMNS} FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code WHERE o.code = $1`, [a.official_code])).rows
      : [];
    const matches = linked.length ? linked : await candidates(q, a, 5);
    const views = [];
    for (const m of matches) {
      const discipline = await q.query<{ id: string; decided_on: string; kind: string; reason: string; authority: string }>(
        `SELECT id, to_char(decided_on, 'YYYY-MM-DD') AS decided_on, kind, reason, authority FROM discipline_records WHERE official_code = $1 ORDER BY decided_on DESC LIMIT 20`,
        [m.code],
      );
      const others = await q.query<{ id: string; case_code: string; township_code: string; status: CrossReferenceView['accused'][number]['matches'][number]['otherPetitions'][number]['status']; created_at: Date }>(
        `SELECT DISTINCT p.id, p.case_code, p.township_code, p.status, p.created_at FROM petition_accused pa JOIN petitions p ON p.id = pa.petition_id
         WHERE pa.petition_id <> $1 AND (pa.official_code = $2 OR (pa.official_code IS NULL AND pa.name = $3 AND (pa.unit = '' OR pa.unit = $4)))
         ORDER BY p.created_at DESC LIMIT 20`,
        [petitionId, m.code, m.name, m.unit_name ?? ''],
      );
      views.push({
        ...toView(m),
        linked: linked.length > 0,
        discipline: discipline.rows.map((d) => ({ id: d.id, decidedOn: d.decided_on, kind: d.kind, reason: d.reason, authority: d.authority })),
        otherPetitions: others.rows.map((p) => ({ id: p.id, caseCode: p.case_code, townshipCode: p.township_code, status: p.status, createdAt: p.created_at.toISOString() })),
      });
    }
    out.push({ name: a.name, unit: a.unit, matches: views });
  }
  return { accused: out };
}
