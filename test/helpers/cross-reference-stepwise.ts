// The accused cross-reference as it was built before it became one statement (issue 18.6): a query per person,
// per match and per list. Kept here as the reference the single statement's answers are compared against.
import type { CrossReferenceView } from '@vj/shared';
import type { Queryable } from '../../signaling/src/db/db.js';
import { toView, type OfficialRow } from '../../signaling/src/registry/cross-reference.js';

// The registry columns and name-and-unit match as they were written then (a join on the unit), kept apart from
// the product's so that a change there is checked against this, not against itself.
const OFFICIAL_COLUMNS = 'o.code, o.name, u.name AS unit_name, o.position, o.township_code, o.management_level, o.standing';
const MATCHES = (name: string, unit: string) =>
  `FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code WHERE o.name = ${name}::text AND (${unit}::text = '' OR u.name = ${unit}::text OR o.unit_code = ${unit}::text)`;

export async function crossReferenceStepwise(q: Queryable, petitionId: string): Promise<CrossReferenceView> {
  const accused = await q.query<{ name: string; unit: string; official_code: string | null }>(
    'SELECT name, unit, official_code FROM petition_accused WHERE petition_id = $1 ORDER BY ord',
    [petitionId],
  );
  const out: CrossReferenceView['accused'] = [];
  for (const a of accused.rows) {
    const linked = a.official_code
      ? (
          await q.query<OfficialRow>(`SELECT ${OFFICIAL_COLUMNS} FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code WHERE o.code = $1`, [
            a.official_code,
          ])
        ).rows
      : [];
    const matches = linked.length
      ? linked
      : (await q.query<OfficialRow>(`SELECT ${OFFICIAL_COLUMNS} ${MATCHES('$1', '$2')} ORDER BY o.code LIMIT $3`, [a.name, a.unit ?? '', 5])).rows;
    const views = [];
    for (const m of matches) {
      const discipline = await q.query<{ id: string; decided_on: string; kind: string; reason: string; authority: string }>(
        `SELECT id, to_char(decided_on, 'YYYY-MM-DD') AS decided_on, kind, reason, authority FROM discipline_records WHERE official_code = $1 ORDER BY decided_on DESC LIMIT 20`,
        [m.code],
      );
      const others = await q.query<{
        id: string;
        case_code: string;
        township_code: string;
        status: CrossReferenceView['accused'][number]['matches'][number]['otherPetitions'][number]['status'];
        created_at: Date;
      }>(
        `SELECT DISTINCT p.id, p.case_code, p.township_code, p.status, p.created_at FROM petition_accused pa JOIN petitions p ON p.id = pa.petition_id
         WHERE pa.petition_id <> $1 AND (pa.official_code = $2 OR (pa.official_code IS NULL AND pa.name = $3 AND (pa.unit = '' OR pa.unit = $4)))
         ORDER BY p.created_at DESC LIMIT 20`,
        [petitionId, m.code, m.name, m.unit_name ?? ''],
      );
      views.push({
        ...toView(m),
        linked: linked.length > 0,
        discipline: discipline.rows.map((d) => ({ id: d.id, decidedOn: d.decided_on, kind: d.kind, reason: d.reason, authority: d.authority })),
        otherPetitions: others.rows.map((p) => ({
          id: p.id,
          caseCode: p.case_code,
          townshipCode: p.township_code,
          status: p.status,
          createdAt: p.created_at.toISOString(),
        })),
      });
    }
    out.push({ name: a.name, unit: a.unit, matches: views });
  }
  return { accused: out };
}
