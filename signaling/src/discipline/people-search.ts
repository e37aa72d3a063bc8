import {
  AppError,
  effectOf,
  isValidIdCard,
  type DisciplineRecordView,
  type PeopleAnswer,
  type PeopleSearchBy,
  type PersonDetail,
  type Sanction,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { Queryable } from '../db/db.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { compactPinyin, isPinyinQuery, nameKeys } from './name-keys.js';
import { idCardIndexes, normaliseIdCard } from './person-data.js';

/** The people query's rows and the statement that finds them (discipline-query.ts audits and scopes it). */
export interface PeopleSearch {
  by: PeopleSearchBy;
  q: string;
  disciplined: '0' | '1';
  limit: number;
}

export type PersonRow = {
  code: string;
  name: string;
  unit_name: string | null;
  district_code: string | null;
  district_name: string | null;
  position: string;
  rank: string;
  key_official: boolean;
  management_level: PersonDetail['person']['managementLevel'];
};
export type RecordRow = {
  id: string;
  official_code: string;
  decided_on: string;
  kind: string;
  sanction: Sanction | null;
  probation_months: number | null;
  authority: string;
  reason: string;
};

/**
 * A person's columns over `o` (officials), `u` (their unit) and `dd` (its 片区), joined as PERSON_FROM does. The
 * query joins them to the page of people already chosen, never to every candidate: a join before the limit made
 * the planner hash the whole unit table for each query (as cross-reference.ts found).
 */
export const PERSON_COLUMNS = `o.code, o.name, u.name AS unit_name, dd.code AS district_code, dd.name AS district_name, o.position, o.rank, o.key_official, o.management_level`;
export const personFrom = (officials: string) =>
  `${officials} o LEFT JOIN org_units u ON u.code = o.unit_code LEFT JOIN districts dd ON dd.code = u.district_code`;

export const personOf = (r: PersonRow) => ({
  code: r.code,
  name: r.name,
  unitName: r.unit_name,
  district: r.district_code ? { code: r.district_code, name: r.district_name ?? '' } : null,
  position: r.position,
  rank: r.rank,
  keyOfficial: r.key_official,
  managementLevel: r.management_level,
});

export const recordOf = (r: RecordRow, day: string): DisciplineRecordView => ({
  id: r.id,
  decidedOn: r.decided_on,
  kind: r.kind,
  sanction: r.sanction,
  probationMonths: r.probation_months,
  authority: r.authority,
  summary: r.reason,
  effect: effectOf({ sanction: r.sanction, kind: r.kind, decidedOn: r.decided_on, probationMonths: r.probation_months }, day),
});

/** The discipline records of these people, newest first: the person page, the profile and the opinion drafts read them. */
export async function recordRowsOf(q: Queryable, codes: readonly string[]): Promise<RecordRow[]> {
  if (!codes.length) return [];
  const r = await q.query<RecordRow>(
    `SELECT id, official_code, to_char(decided_on, 'YYYY-MM-DD') AS decided_on, kind, sanction, probation_months, authority, reason
       FROM discipline_records WHERE official_code = ANY($1::text[]) ORDER BY decided_on DESC, id`,
    [codes],
  );
  return r.rows;
}

/** 关键少数 first (by unit, by ID number); name and code then. */
const KEY_FIRST = 'CASE WHEN o.key_official THEN 0 ELSE 1 END';
const like = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Where and order of a query, over placeholders $1…; refuses input that cannot be a name, number or unit (400). */
export function searchCondition(keys: IntegrityKeyring, query: PeopleSearch): { where: string; rank: string; args: unknown[] } {
  const args: unknown[] = [];
  const p = (v: unknown) => (args.push(v), `$${args.length}`);
  if (query.by === 'id_card') {
    const id = normaliseIdCard(query.q);
    if (!/^\d{17}[\dX]$/.test(id)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.discipline.idCardLength);
    if (!isValidIdCard(id)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.discipline.idCardChecksum);
    return { where: `o.id_card_index = ANY(${p(idCardIndexes(keys, id))}::bytea[])`, rank: KEY_FIRST, args };
  }
  if (query.by === 'unit') {
    return { where: `o.unit_code IN (SELECT code FROM org_units WHERE name LIKE ${p(`%${like(query.q)}%`)})`, rank: KEY_FIRST, args };
  }
  if (isPinyinQuery(query.q)) {
    const flat = compactPinyin(query.q);
    const f = p(flat);
    const fl = p(`${flat}%`);
    return {
      where: `(o.name_initials LIKE ${fl} OR replace(o.name_pinyin, ' ', '') LIKE ${fl})`,
      rank: `CASE WHEN o.name_initials = ${f} OR replace(o.name_pinyin, ' ', '') = ${f} THEN 0 ELSE 1 END`,
      args,
    };
  }
  if (!/^[一-龥·]+$/u.test(query.q)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.discipline.nameHanOnly);
  const { pinyin } = nameKeys(query.q);
  const n = p(query.q);
  const py = p(pinyin);
  // Same name; a name beginning so; the same sound (同音): 王建国 finds 汪剑国; a longer name of the same sound.
  return {
    where: `(o.name = ${n} OR o.name LIKE ${p(`${like(query.q)}%`)} OR o.name_pinyin = ${py} OR o.name_pinyin LIKE ${p(`${like(pinyin)} %`)})`,
    rank: `CASE WHEN o.name = ${n} THEN 0 WHEN o.name_pinyin = ${py} THEN 1 ELSE 2 END`,
    args,
  };
}

/**
 * One statement: the people matching, in the 片区 when one is given, each with their records (as JSON, for the
 * count and the 影响期 summary) — one round trip however many are found.
 */
export async function findPeople(
  q: Queryable,
  condition: ReturnType<typeof searchCondition>,
  query: PeopleSearch,
  district: string | undefined,
  today: string,
): Promise<PeopleAnswer> {
  const args = [...condition.args];
  const p = (v: unknown) => (args.push(v), `$${args.length}`);
  let where = condition.where;
  if (district) where += ` AND o.unit_code IN (SELECT u.code FROM org_units u WHERE u.district_code = ${p(district)})`;
  if (query.disciplined === '1') where += ' AND EXISTS (SELECT 1 FROM discipline_records d WHERE d.official_code = o.code)';
  const found = await q.query<PersonRow & { records: Pick<RecordRow, 'sanction' | 'kind' | 'decided_on' | 'probation_months'>[] }>(
    // Unit, 片区 and records of the page's people only: the limit applies first, then indexed lookups per person shown.
    `SELECT ${PERSON_COLUMNS},
       (SELECT coalesce(json_agg(json_build_object('sanction', d.sanction, 'kind', d.kind, 'decided_on', to_char(d.decided_on, 'YYYY-MM-DD'), 'probation_months', d.probation_months)), '[]')
          FROM discipline_records d WHERE d.official_code = o.code) AS records
     FROM ${personFrom(`(SELECT o.*, ${condition.rank} AS rk FROM officials o WHERE ${where} ORDER BY rk, o.name, o.code LIMIT ${p(query.limit + 1)})`)}
     ORDER BY o.rk, o.name, o.code`,
    args,
  );
  const rows = found.rows.slice(0, query.limit);
  return {
    items: rows.map((r) => {
      const effects = r.records.map(
        (d) => effectOf({ sanction: d.sanction, kind: d.kind, decidedOn: d.decided_on, probationMonths: d.probation_months }, today).state,
      );
      return { ...personOf(r), recordCount: effects.length, inEffect: effects.some((e) => e === 'in_effect' || e === 'permanent') };
    }),
    truncated: found.rows.length > query.limit,
  };
}
