import { AppError, effectOf, isDistrictRole, isValidIdCard, localDay, type DisciplineRecordView, type PeopleAnswer, type PeopleSearchBy, type PersonDetail, type PetitionStatus, type Role, type Sanction } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/db.js';
import { NAMING } from '../registry/cross-reference.js';
import { newId } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { compactPinyin, isPinyinQuery, nameKeys } from './name-keys.js';
import { idCardIndexes, maskedIdCard, normaliseIdCard, personalDataKeys } from './person-data.js';

/** Roles that see the earlier accusations naming a person (counts, case codes and state): not the 片区督查组. */
const ACCUSATION_READERS: readonly Role[] = ['case_reviewer', 'county_leader', 'conduct_office'];

const like = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

type PersonRow = {
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
type RecordRow = { id: string; official_code: string; decided_on: string; kind: string; sanction: Sanction | null; probation_months: number | null; authority: string; reason: string };

const PERSON_COLUMNS = `o.code, o.name, u.name AS unit_name, dd.code AS district_code, dd.name AS district_name, o.position, o.rank, o.key_official, o.management_level`;
const PERSON_FROM = `officials o LEFT JOIN org_units u ON u.code = o.unit_code LEFT JOIN districts dd ON dd.code = u.district_code`;

const personOf = (r: PersonRow) => ({
  code: r.code,
  name: r.name,
  unitName: r.unit_name,
  district: r.district_code ? { code: r.district_code, name: r.district_name ?? '' } : null,
  position: r.position,
  rank: r.rank,
  keyOfficial: r.key_official,
  managementLevel: r.management_level,
});

const recordOf = (r: RecordRow, day: string): DisciplineRecordView => ({
  id: r.id,
  decidedOn: r.decided_on,
  kind: r.kind,
  sanction: r.sanction,
  probationMonths: r.probation_months,
  authority: r.authority,
  summary: r.reason,
  effect: effectOf({ sanction: r.sanction, kind: r.kind, decidedOn: r.decided_on, probationMonths: r.probation_months }, day),
});

/**
 * 受处分人员信息查询: people by name (exact, homophone, pinyin or its initials), by ID number (blind index) or by
 * unit, and one person's page. A 片区督查组 sees only the people of units in its own 片区; anyone else allowed
 * here sees the county. Every query and every page is audited in the transaction that reads it (ids only: the
 * words searched are personal data and stay out of audit rows and logs).
 */
export class DisciplineQuery {
  constructor(private readonly db: Db) {}

  async search(principal: Claims, query: { by: PeopleSearchBy; q: string; disciplined: '0' | '1'; limit: number }, today = localDay()): Promise<PeopleAnswer> {
    const args: unknown[] = [];
    const p = (v: unknown) => (args.push(v), `$${args.length}`);
    let where: string;
    let rank: string;
    if (query.by === 'id_card') {
      const id = normaliseIdCard(query.q);
      if (!/^\d{17}[\dX]$/.test(id)) throw new AppError('BAD_REQUEST', '身份证号应为 18 位（最后一位可以是 X）');
      if (!isValidIdCard(id)) throw new AppError('BAD_REQUEST', '身份证号校验不通过，请核对');
      where = `o.id_card_index = ANY(${p(idCardIndexes(personalDataKeys(this.db), id))}::bytea[])`;
      // One number, one person (or the same person entered twice): no ranking beyond name and code.
      rank = 'o.key_official DESC';
    } else if (query.by === 'unit') {
      where = `o.unit_code IN (SELECT code FROM org_units WHERE name LIKE ${p(`%${like(query.q)}%`)})`;
      rank = 'CASE WHEN o.key_official THEN 0 ELSE 1 END';
    } else if (isPinyinQuery(query.q)) {
      const flat = compactPinyin(query.q);
      const f = p(flat);
      const fl = p(`${flat}%`);
      where = `(o.name_initials LIKE ${fl} OR replace(o.name_pinyin, ' ', '') LIKE ${fl})`;
      rank = `CASE WHEN o.name_initials = ${f} OR replace(o.name_pinyin, ' ', '') = ${f} THEN 0 ELSE 1 END`;
    } else {
      if (!/^[一-龥·]+$/u.test(query.q)) throw new AppError('BAD_REQUEST', '姓名只能是汉字，或用拼音、拼音首字母查询');
      const { pinyin } = nameKeys(query.q);
      const n = p(query.q);
      const py = p(pinyin);
      // Same name; a name beginning so; the same sound (同音): 王建国 finds 汪剑国; a longer name of the same sound.
      where = `(o.name = ${n} OR o.name LIKE ${p(`${like(query.q)}%`)} OR o.name_pinyin = ${py} OR o.name_pinyin LIKE ${p(`${like(pinyin)} %`)})`;
      rank = `CASE WHEN o.name = ${n} THEN 0 WHEN o.name_pinyin = ${py} THEN 1 ELSE 2 END`;
    }
    return this.db.tx(async (q) => {
      const district = await this.districtOf(q, principal);
      if (district) where += ` AND u.district_code = ${p(district)}`;
      if (query.disciplined === '1') where += ' AND EXISTS (SELECT 1 FROM discipline_records d WHERE d.official_code = o.code)';
      const found = await q.query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM ${PERSON_FROM} WHERE ${where} ORDER BY ${rank}, o.name, o.code LIMIT ${p(query.limit + 1)}`, args);
      const rows = found.rows.slice(0, query.limit);
      const records = await this.recordsOf(q, rows.map((r) => r.code));
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'discipline.query',
        objectType: 'discipline_query',
        objectId: newId(),
        details: { by: query.by, disciplinedOnly: query.disciplined === '1', results: rows.length, district: district ?? null },
      });
      return {
        items: rows.map((r) => {
          const mine = records.filter((d) => d.official_code === r.code).map((d) => recordOf(d, today));
          return { ...personOf(r), recordCount: mine.length, inEffect: mine.some((d) => d.effect.state === 'in_effect' || d.effect.state === 'permanent') };
        }),
        truncated: found.rows.length > query.limit,
      };
    });
  }

  /** One person in one screen: every discipline record with its 影响期 state, and every earlier accusation. */
  async person(principal: Claims, code: string, today = localDay()): Promise<PersonDetail> {
    return this.db.tx(async (q) => {
      const district = await this.districtOf(q, principal);
      const r = await q.query<PersonRow & { id_card_ct: Buffer | null }>(`SELECT ${PERSON_COLUMNS}, o.id_card_ct FROM ${PERSON_FROM} WHERE o.code = $1`, [code]);
      const row = r.rows[0];
      // Another 片区's person is answered as no person at all.
      if (!row || (district && row.district_code !== district)) throw new AppError('NOT_FOUND', '没有找到这个人员');
      const records = (await this.recordsOf(q, [code])).map((d) => recordOf(d, today));
      let accusations: PersonDetail['accusations'] = null;
      if (ACCUSATION_READERS.includes(principal.role)) {
        const a = await q.query<{ case_code: string; status: PetitionStatus }>(
          `SELECT p.case_code, p.status FROM petitions p WHERE ${NAMING('$1::text', '$2::text', '$3::text')} ORDER BY p.created_at DESC, p.id`,
          [code, row.name, row.unit_name],
        );
        const items = a.rows.map((x) => ({ caseCode: x.case_code, status: x.status }));
        accusations = { total: items.length, open: items.filter((x) => x.status !== 'closed').length, items };
      }
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'discipline.person_view',
        objectType: 'official',
        objectId: code,
        details: { records: records.length, accusations: accusations?.total ?? null },
      });
      const masked = row.id_card_ct ? (maskedIdCard(personalDataKeys(this.db), code, row.id_card_ct) ?? null) : null;
      return { person: { ...personOf(row), idCardMasked: masked }, records, accusations, asOf: today };
    });
  }

  /** The 片区 a 督查组 account is bound to; undefined for county-wide roles. */
  private async districtOf(q: Tx, principal: Claims): Promise<string | undefined> {
    if (!isDistrictRole(principal.role)) return undefined;
    const r = await q.query<{ district_code: string | null }>('SELECT district_code FROM users WHERE id = $1', [principal.sub]);
    const d = r.rows[0]?.district_code;
    if (!d) throw new AppError('FORBIDDEN', '该账号未分配片区');
    return d;
  }

  private async recordsOf(q: Tx, codes: string[]): Promise<RecordRow[]> {
    if (!codes.length) return [];
    const r = await q.query<RecordRow>(
      `SELECT id, official_code, to_char(decided_on, 'YYYY-MM-DD') AS decided_on, kind, sanction, probation_months, authority, reason
         FROM discipline_records WHERE official_code = ANY($1::text[]) ORDER BY decided_on DESC, id`,
      [codes],
    );
    return r.rows;
  }
}
