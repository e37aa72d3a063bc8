import type { ManagementLevel, Sanction } from '@vj/shared';
import type { Db, Queryable } from '../db/db.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { nameKeys } from './name-keys.js';
import { sealIdCard } from './person-data.js';

/**
 * Bulk writes of the people and units model (officials, org_units, discipline_records): the synthetic county
 * and test fixtures go through here, so every row gets its pinyin keys, sealed ID number and sanction code the
 * same way. Re-writing a code updates it.
 */
export interface UnitInput {
  code: string;
  name: string;
  townshipCode: string | null;
  districtCode: string | null;
}

export interface PersonInput {
  code: string;
  name: string;
  unitCode: string;
  position: string;
  rank: string;
  managementLevel: ManagementLevel;
  keyOfficial: boolean;
  townshipCode: string | null;
  idCard: string | null;
}

export interface RecordInput {
  id: string;
  officialCode: string;
  decidedOn: string;
  kind: string;
  sanction: Sanction | null;
  probationMonths: number | null;
  authority: string;
  reason: string;
}

const col = <T, K extends keyof T>(rows: readonly T[], k: K): T[K][] => rows.map((r) => r[k]);

export async function writeUnits(q: Queryable, units: readonly UnitInput[]): Promise<void> {
  if (!units.length) return;
  await q.query(
    `INSERT INTO org_units (code, name, township_code, district_code) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, township_code = excluded.township_code, district_code = excluded.district_code`,
    [col(units, 'code'), col(units, 'name'), col(units, 'townshipCode'), col(units, 'districtCode')],
  );
}

export async function writePeople(q: Queryable, keys: IntegrityKeyring, people: readonly PersonInput[]): Promise<void> {
  if (!people.length) return;
  const names = people.map((p) => nameKeys(p.name));
  const sealed = people.map((p) => (p.idCard ? sealIdCard(keys, p.code, p.idCard) : null));
  await q.query(
    `INSERT INTO officials (code, name, unit_code, position, rank, management_level, key_official, township_code, name_pinyin, name_initials, id_card_ct, id_card_index, standing)
     SELECT x.code, x.name, x.unit, x.position, x.rank, x.level, x.key, x.township, x.py, x.ini, x.ct, x.ix,
            vj_official_standing(x.position, (SELECT u.name FROM org_units u WHERE u.code = x.unit))
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[], $10::text[], $11::bytea[], $12::bytea[])
         AS x(code, name, unit, position, rank, level, key, township, py, ini, ct, ix)
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, unit_code = excluded.unit_code, position = excluded.position, rank = excluded.rank,
       management_level = excluded.management_level, key_official = excluded.key_official, township_code = excluded.township_code,
       name_pinyin = excluded.name_pinyin, name_initials = excluded.name_initials, id_card_ct = excluded.id_card_ct, id_card_index = excluded.id_card_index,
       standing = excluded.standing, imported_at = now()`,
    [
      col(people, 'code'),
      col(people, 'name'),
      col(people, 'unitCode'),
      col(people, 'position'),
      col(people, 'rank'),
      col(people, 'managementLevel'),
      col(people, 'keyOfficial'),
      col(people, 'townshipCode'),
      names.map((n) => n.pinyin),
      names.map((n) => n.initials),
      sealed.map((s) => s?.ct ?? null),
      sealed.map((s) => s?.index ?? null),
    ],
  );
}

export async function writeRecords(q: Queryable, records: readonly RecordInput[]): Promise<void> {
  if (!records.length) return;
  await q.query(
    `INSERT INTO discipline_records (id, official_code, decided_on, kind, sanction, probation_months, authority, reason)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[])
     ON CONFLICT (id) DO UPDATE SET official_code = excluded.official_code, decided_on = excluded.decided_on, kind = excluded.kind, sanction = excluded.sanction,
       probation_months = excluded.probation_months, authority = excluded.authority, reason = excluded.reason`,
    [
      col(records, 'id'),
      col(records, 'officialCode'),
      col(records, 'decidedOn'),
      col(records, 'kind'),
      col(records, 'sanction'),
      col(records, 'probationMonths'),
      col(records, 'authority'),
      col(records, 'reason'),
    ],
  );
}

/**
 * People written without pinyin keys (entries from before migration 0027, or an import by an older node) get them:
 * run at start, a no-op once every name has its keys.
 */
export async function backfillNameKeys(db: Db): Promise<number> {
  let done = 0;
  for (;;) {
    const r = await db.query<{ code: string; name: string }>(
      `SELECT code, name FROM officials WHERE name_pinyin = '' AND name ~ '[一-龥]' ORDER BY code LIMIT 2000`,
    );
    if (!r.rows.length) return done;
    const keys = r.rows.map((p) => nameKeys(p.name));
    await db.query(
      `UPDATE officials o SET name_pinyin = x.py, name_initials = x.ini FROM unnest($1::text[], $2::text[], $3::text[]) AS x(code, py, ini) WHERE o.code = x.code`,
      [r.rows.map((p) => p.code), keys.map((k) => k.pinyin), keys.map((k) => k.initials)],
    );
    done += r.rows.length;
    // A name of rare characters only could yield no syllables: stop rather than loop on it.
    if (keys.every((k) => k.pinyin === '')) return done;
  }
}
