import type { Queryable } from '../db/db.js';
import { nameKeys } from '../discipline/name-keys.js';
import { resolvedOfficialSql } from '../registry/cross-reference.js';
import { accusedIsUser } from './conflicts.js';

/** An accused person as intake takes them (before the row exists). */
export interface AccusedAtIntake {
  name: string;
  unit?: string | undefined;
  position?: string | undefined;
  officialCode?: string | null | undefined;
}

/**
 * 自动密封 (issue 16, second review, finding 7): does a matter about to be filed name a principal leader of the county
 * commission? Read by the one rule that recognises a staff account in an accused person (conflicts.ts:
 * registry code, name with or without a title, homophone, surname and title, or the commission's principal post
 * written without a resolved name), against every principal-leader account whatever its state, with each person's
 * registry entry resolved as the insert will resolve it. One round trip, and only for a matter naming someone.
 */
export async function namesCountyLeader(q: Queryable, accused: readonly AccusedAtIntake[]): Promise<boolean> {
  if (accused.length === 0) return false;
  const params: unknown[] = [];
  const $ = (v: unknown) => `$${params.push(v)}`;
  const rows = accused.map((a) => {
    const name = $(a.name);
    const unit = $(a.unit ?? '');
    return `(${name}::text, ${unit}::text, ${$(a.position ?? '')}::text, ${resolvedOfficialSql($(a.officialCode ?? null), name, unit)}, ${$(nameKeys(a.name).pinyin)}::text)`;
  });
  const r = await q.query<{ named: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM (VALUES ${rows.join(', ')}) AS a (name, unit, position, official_code, name_pinyin)
       JOIN users u ON u.role = 'county_leader'
       WHERE ${accusedIsUser('a', 'u')}) AS named`,
    params,
  );
  return r.rows[0]?.named === true;
}
