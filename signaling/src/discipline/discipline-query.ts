import { AppError, localDay, type PeopleAnswer, type PersonDetail, type PetitionStatus, type Role, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { namedAsAccused } from '../cases/conflicts.js';
import { NAMING } from '../registry/cross-reference.js';
import { newId } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import {
  findPeople,
  PERSON_COLUMNS,
  personFrom,
  personOf,
  recordOf,
  recordRowsOf,
  searchCondition,
  type PeopleSearch,
  type PersonRow,
} from './people-search.js';
import { districtOf } from './district-scope.js';
import { maskedIdCard, personalDataKeys } from './person-data.js';

/** Roles that see the earlier accusations naming a person (counts, case codes and state): not the 片区督查组. */
const ACCUSATION_READERS: readonly Role[] = ['case_reviewer', 'county_leader', 'conduct_office'];

/**
 * 受处分人员信息查询: people by name (exact, homophone, pinyin or its initials), by ID number (blind index) or by
 * unit, and one person's page. A 片区督查组 sees only the people of units in its own 片区; anyone else allowed
 * here sees the county. Every query and every page is audited in the transaction that reads it (ids only: the
 * words searched are personal data and stay out of audit rows and logs).
 */
export class DisciplineQuery {
  constructor(private readonly db: Db) {}

  async search(principal: Claims, query: PeopleSearch, today = localDay()): Promise<PeopleAnswer> {
    // Checked before the transaction: bad input writes nothing, not even an audit row.
    const condition = searchCondition(personalDataKeys(this.db), query);
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const answer = await findPeople(q, condition, query, district, today);
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'discipline.query',
        objectType: 'discipline_query',
        objectId: newId(),
        details: { by: query.by, disciplinedOnly: query.disciplined === '1', results: answer.items.length, district: district ?? null },
      });
      return answer;
    });
  }

  /** One person in one screen: every discipline record with its 影响期 state, and every earlier accusation. */
  async person(principal: Claims, code: string, today = localDay()): Promise<PersonDetail> {
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const r = await q.query<PersonRow & { id_card_ct: Buffer | null }>(
        `SELECT ${PERSON_COLUMNS}, o.id_card_ct FROM ${personFrom('officials')} WHERE o.code = $1`,
        [code],
      );
      const row = r.rows[0];
      // Another 片区's person is answered as no person at all.
      if (!row || (district && row.district_code !== district)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.discipline.personNotFound);
      const records = (await recordRowsOf(q, [code])).map((d) => recordOf(d, today));
      let accusations: PersonDetail['accusations'] = null;
      if (ACCUSATION_READERS.includes(principal.role)) {
        const a = await q.query<{ case_code: string; status: PetitionStatus }>(
          // 回避: never the accusations that name the reader (a leader or reviewer looking themself up learns nothing).
          `SELECT p.case_code, p.status FROM petitions p WHERE ${NAMING('$1::text', '$2::text', '$3::text')} AND NOT ${namedAsAccused(4)} ORDER BY p.created_at DESC, p.id`,
          [code, row.name, row.unit_name, principal.sub],
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
}
