import { accusedIsUser } from './conflicts.js';

/**
 * 自动密封 (issue 16, second review, finding 7): SQL, true when one of the accused in `values` names a principal
 * leader of the county commission. `values` is a VALUES list of (name, unit, position, official_code, name_pinyin),
 * each registry entry resolved as the petition's insert resolves it. Read by the one rule that recognises a staff
 * account in an accused person (conflicts.ts: registry code, name with or without a title, homophone, surname and
 * title, or the commission's principal post written without a resolved name), against every principal-leader
 * account whatever its state. The intake statement evaluates it itself, so it costs no round trip of its own.
 */
export const leaderNamedSql = (values: string) => `EXISTS (
  SELECT 1 FROM (${values}) AS a (name, unit, position, official_code, name_pinyin)
  JOIN users u ON u.role = 'county_leader'
  WHERE ${accusedIsUser('a', 'u')})`;
