import type { Queryable } from '../db/db.js';
import { nameKeys } from '../discipline/name-keys.js';
import { resolvedOfficialSql } from '../registry/cross-reference.js';
import { accusedIsUser } from './conflicts.js';

/**
 * 自动密封 (issue 16): SQL, true when one of the accused in `values` names the county commission's own leadership.
 * `values` is a VALUES list of (name, unit, position, official_code, name_pinyin), each registry entry resolved as the
 * petition's insert resolves it. An accused is the leadership when
 *  - the rule that recognises a staff account in an accused person (conflicts.ts: registry code, name with or
 *    without a title, homophone, surname and title, or the principal post written without a resolved name)
 *    recognises a principal-leader account in them, whatever its state; or
 *  - their unit and position, as written or as the registry holds them, name a post in the leadership: a deputy
 *    (副书记, 副主任) or standing-committee member as well as the principal leader (migration 0031). The officers
 *    who would otherwise list such a matter answer to that deputy.
 * Intake asks it through `namesLeadership` below.
 */
export const leaderNamedSql = (values: string) => `EXISTS (
  SELECT 1 FROM (${values}) AS a (name, unit, position, official_code, name_pinyin)
  LEFT JOIN officials o ON o.code = a.official_code
  LEFT JOIN org_units ou ON ou.code = o.unit_code
  WHERE vj_names_commission_member(a.name, a.unit, a.position)
     OR (o.code IS NOT NULL AND vj_names_commission_member(o.name, ou.name, o.position))
     OR EXISTS (SELECT 1 FROM users u WHERE u.role = 'county_leader' AND ${accusedIsUser('a', 'u')}))`;

/** An accused person as intake writes them. */
export interface AccusedAsWritten {
  name: string;
  unit: string;
  position: string;
  officialCode?: string | null | undefined;
}

/**
 * SQL: what the leadership rule reads of registry entry `code` (its code, name, unit's name and post), as one text,
 * or NULL for no entry. Intake's statement compares these with the check's: an entry made a deputy of the
 * commission between the two (its post or unit edited, not only a new entry) must not be filed unsealed.
 */
export const registryEntrySql = (code: string) =>
  `(SELECT json_build_array(o.code, o.name, ou.name, o.position)::text FROM officials o LEFT JOIN org_units ou ON ou.code = o.unit_code WHERE o.code = ${code})`;

/** One text for any number of accused (arrays, not a VALUES list), so the server parses and plans it once per connection. */
const NAMES_LEADERSHIP_SQL = `WITH a AS MATERIALIZED (
    SELECT x.ord, x.name, x.unit, x.position, ${resolvedOfficialSql('x.code', 'x.name', 'x.unit')} AS official_code, x.pinyin
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS x (name, unit, position, code, pinyin, ord))
  SELECT ${leaderNamedSql('SELECT name, unit, position, official_code, pinyin FROM a')} AS named,
         (SELECT array_agg(${registryEntrySql('a.official_code')} ORDER BY ord) FROM a) AS officials`;

/** The answer, and the registry entry each accused resolved to when it was asked, as `registryEntrySql` reads it (null where none). */
export interface LeadershipCheck {
  named: boolean;
  officials: (string | null)[];
}

/**
 * Whether a matter naming `accused` names the commission's leadership (and is filed sealed), each registry entry
 * resolved as the intake statement resolves it. Asked before that statement and not inside it: intake sends one
 * statement at a time per process (audited-statement.ts), and planning this check inside it took most of its time;
 * here it is a prepared statement and runs beside other submits on the pool. The statement files the matter only
 * if it resolves every accused to the same registry entries, each still with the same name, unit and post (a
 * registry import or edit in between could otherwise link an unsealed matter to a leader or a deputy); else intake
 * asks again, on every attempt, however long the submit waited to be sent. A user made county_leader between the
 * two is the same as that change landing just after the submit: matters are sealed at intake or by a supervisor,
 * never by a later change.
 */
export async function namesLeadership(q: Queryable, accused: readonly AccusedAsWritten[]): Promise<LeadershipCheck> {
  if (accused.length === 0) return { named: false, officials: [] };
  const column = (f: (a: AccusedAsWritten) => string | null) => accused.map(f);
  const r = await q.query<{ named: boolean; officials: (string | null)[] }>(
    NAMES_LEADERSHIP_SQL,
    [column((a) => a.name), column((a) => a.unit), column((a) => a.position), column((a) => a.officialCode ?? null), column((a) => nameKeys(a.name).pinyin)],
    { prepare: 'names_leadership' },
  );
  return { named: r.rows[0]?.named === true, officials: r.rows[0]?.officials ?? [] };
}
