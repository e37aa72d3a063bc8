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
/** What a page row carries up to PERSON_COLUMNS: not o.*, whose sealed columns made every row several times wider. */
const PAGE_COLUMNS = 'o.code, o.name, o.unit_code, o.position, o.rank, o.key_official, o.management_level';
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

/**
 * One part of a query's match: its rows (`where`, over `o`), their rank, and the order inside the part. Parts are
 * disjoint; the answer is their rows by rank, then `key` (the text matched, where a part is ordered by it), name
 * and code. A part's own order must agree with that, so its first rows are all the answer can take from it.
 */
interface SearchPart {
  where: string;
  rank: string;
  key: string;
  order: string;
}

export interface SearchCondition {
  parts: SearchPart[];
  args: unknown[];
  /** Names the statement's text (with findPeople's scope): prepared once per connection, not planned each time. */
  shape: string;
}

/**
 * The first string after every string that begins with `prefix`, in bytewise order (UTF-8's order is code
 * points'): a prefix match as a range, which a prepared statement's generic plan reads from an index, where
 * LIKE with a parameter cannot be.
 */
export function prefixEnd(prefix: string): string {
  const points = [...prefix];
  const last = points.pop()!.codePointAt(0)!;
  return points.join('') + String.fromCodePoint(last + 1);
}

/** A part ordered by rank, then name and code: the name, ID number and unit searches. */
const ranked = (where: string, rank: string): SearchPart => ({ where, rank, key: "''", order: `${rank}, o.name, o.code` });

/**
 * Where and order of a query, over placeholders $1…; refuses input that cannot be a name, number or unit (400).
 */
export function searchCondition(keys: IntegrityKeyring, query: PeopleSearch): SearchCondition {
  const args: unknown[] = [];
  const p = (v: unknown) => (args.push(v), `$${args.length}`);
  if (query.by === 'id_card') {
    const id = normaliseIdCard(query.q);
    if (!/^\d{17}[\dX]$/.test(id)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.discipline.idCardLength);
    if (!isValidIdCard(id)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.discipline.idCardChecksum);
    return { parts: [ranked(`o.id_card_index = ANY(${p(idCardIndexes(keys, id))}::bytea[])`, KEY_FIRST)], args, shape: 'id' };
  }
  if (query.by === 'unit') {
    return { parts: [ranked(`o.unit_code IN (SELECT code FROM org_units WHERE name LIKE ${p(`%${like(query.q)}%`)})`, KEY_FIRST)], args, shape: 'unit' };
  }
  if (isPinyinQuery(query.q)) {
    const flat = compactPinyin(query.q);
    const f = p(flat);
    const end = p(prefixEnd(flat));
    // Initials, then whole pinyin, each read in its index's order (migration 0042), so a short query such as "wj"
    // (800 people begin so) reads the first page's rows, not every match to sort them. Within a part the exact
    // match comes first by itself (it is the shortest key with the prefix); after it, longer keys in order.
    const initials = `(o.name_initials COLLATE "C")`;
    const spelled = `(replace(o.name_pinyin, ' ', '') COLLATE "C")`;
    const byInitials: SearchPart = {
      where: `${initials} >= ${f} AND ${initials} < ${end}`,
      rank: `CASE WHEN ${initials} = ${f} THEN 0 ELSE 1 END`,
      key: initials,
      order: `${initials}, o.name, o.code`,
    };
    // One letter: every whole pinyin beginning with it has initials that do too, so the second part is empty,
    // and looking for it would read every such name only to leave each out.
    if (flat.length === 1) return { parts: [byInitials], args, shape: 'letter' };
    const bySpelling: SearchPart = {
      where: `${spelled} >= ${f} AND ${spelled} < ${end} AND NOT (${initials} >= ${f} AND ${initials} < ${end})`,
      rank: `CASE WHEN ${spelled} = ${f} THEN 0 ELSE 1 END`,
      key: spelled,
      order: `${spelled}, o.name, o.code`,
    };
    return { parts: [byInitials, bySpelling], args, shape: 'pinyin' };
  }
  if (!/^[一-龥·]+$/u.test(query.q)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.discipline.nameHanOnly);
  const { pinyin } = nameKeys(query.q);
  const n = p(query.q);
  const py = p(pinyin);
  // Same name; the same sound (同音): 王建国 finds 汪剑国; a name beginning with these characters; a longer name
  // beginning with the same sound, last (a surname alone, 王, lists every 王 before any 汪: the walk found 50 汪 and
  // no 王 when both ranked alike and sorted by character). Prefixes as ranges over the pattern indexes (~>=~ and ~<~
  // are the operators LIKE 'x%' becomes), so the prepared statement's generic plan can use them.
  const begins = (column: string, prefix: string) => `(${column} ~>=~ ${p(prefix)} AND ${column} ~<~ ${p(prefixEnd(prefix))})`;
  const byCharacters = begins('o.name', query.q);
  return {
    parts: [
      ranked(
        `(o.name = ${n} OR ${byCharacters} OR o.name_pinyin = ${py} OR ${begins('o.name_pinyin', `${pinyin} `)})`,
        `CASE WHEN o.name = ${n} THEN 0 WHEN o.name_pinyin = ${py} THEN 1 WHEN ${byCharacters} THEN 2 ELSE 3 END`,
      ),
    ],
    args,
    shape: 'name',
  };
}

/**
 * One statement: the people matching, in the 片区 when one is given, each with their records (as JSON, for the
 * count and the 影响期 summary) — one round trip however many are found.
 */
export async function findPeople(
  q: Queryable,
  condition: SearchCondition,
  query: PeopleSearch,
  district: string | undefined,
  today: string,
): Promise<PeopleAnswer> {
  const args = [...condition.args];
  const p = (v: unknown) => (args.push(v), `$${args.length}`);
  let also = '';
  if (district) also += ` AND o.unit_code IN (SELECT u.code FROM org_units u WHERE u.district_code = ${p(district)})`;
  if (query.disciplined === '1') also += ' AND EXISTS (SELECT 1 FROM discipline_records d WHERE d.official_code = o.code)';
  const limit = p(query.limit + 1);
  const part = (x: SearchPart) =>
    `SELECT ${PAGE_COLUMNS}, ${x.rank} AS rk, ${x.key} AS sk FROM officials o WHERE ${x.where}${also} ORDER BY ${x.order} LIMIT ${limit}`;
  // Each part's first page, then the page of all of them.
  const chosen =
    condition.parts.length === 1
      ? `(${part(condition.parts[0]!)})`
      : `(SELECT * FROM (${condition.parts.map((x) => `(${part(x)})`).join(' UNION ALL ')}) parts ORDER BY rk, sk, name, code LIMIT ${limit})`;
  const found = await q.query<PersonRow & { records: Pick<RecordRow, 'sanction' | 'kind' | 'decided_on' | 'probation_months'>[] }>(
    // Unit, 片区 and records of the page's people only: the limit applies first, then indexed lookups per person shown.
    `SELECT ${PERSON_COLUMNS},
       (SELECT coalesce(json_agg(json_build_object('sanction', d.sanction, 'kind', d.kind, 'decided_on', to_char(d.decided_on, 'YYYY-MM-DD'), 'probation_months', d.probation_months)), '[]')
          FROM discipline_records d WHERE d.official_code = o.code) AS records
     FROM ${personFrom(chosen)}
     ORDER BY o.rk, o.sk, o.name, o.code`,
    args,
    { prepare: `people_${condition.shape}_${district ? 'district' : 'county'}_${query.disciplined}` },
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
