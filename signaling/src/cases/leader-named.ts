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
 * The intake statement evaluates it itself, so it costs no round trip of its own.
 */
export const leaderNamedSql = (values: string) => `EXISTS (
  SELECT 1 FROM (${values}) AS a (name, unit, position, official_code, name_pinyin)
  LEFT JOIN officials o ON o.code = a.official_code
  LEFT JOIN org_units ou ON ou.code = o.unit_code
  WHERE vj_names_commission_member(a.name, a.unit, a.position)
     OR (o.code IS NOT NULL AND vj_names_commission_member(o.name, ou.name, o.position))
     OR EXISTS (SELECT 1 FROM users u WHERE u.role = 'county_leader' AND ${accusedIsUser('a', 'u')}))`;
