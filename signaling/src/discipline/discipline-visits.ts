import { AppError, ERROR_MESSAGES, localDay, VisitPlanInput, VisitRecordInput, type AuditAction, type VisitListAnswer, type VisitView } from '@vj/shared';
import type { z } from 'zod';
import { appendAudit, type AuditDetails } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/db.js';
import { DecryptError, newId } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { IntegrityError } from '../security/system-keys.js';
import { districtOf } from './district-scope.js';
import { recordOf, type RecordRow } from './people-search.js';
import { openText, personalDataKeys, sealText } from './person-data.js';

type PlanInput = z.output<typeof VisitPlanInput>;
type RecordInput = z.output<typeof VisitRecordInput>;

const notesPlace = (id: string, recordId: string) => ({ table: 'discipline_visits', column: 'notes_ct', rowId: `${id}|${recordId}` });

type VisitRow = RecordRow & {
  visit_id: string;
  name: string;
  unit_name: string | null;
  district_code: string | null;
  planned_on: string;
  state: 'planned' | 'done';
  done_on: string | null;
  notes_ct: Buffer | null;
  planned_by: string;
  recorded_by: string | null;
};
const VISIT_SELECT = `SELECT v.id AS visit_id, r.id, r.official_code, to_char(r.decided_on, 'YYYY-MM-DD') AS decided_on, r.kind, r.sanction, r.probation_months,
    r.authority, r.reason, o.name, u.name AS unit_name, u.district_code, to_char(v.planned_on, 'YYYY-MM-DD') AS planned_on, v.state,
    to_char(v.done_on, 'YYYY-MM-DD') AS done_on, v.notes_ct, pu.display_name AS planned_by, ru.display_name AS recorded_by
  FROM discipline_visits v JOIN discipline_records r ON r.id = v.record_id JOIN officials o ON o.code = r.official_code
  LEFT JOIN org_units u ON u.code = o.unit_code JOIN users pu ON pu.id = v.planned_by LEFT JOIN users ru ON ru.id = v.recorded_by`;

/**
 * 回访教育 (issue 17): a visit to a disciplined person is planned within the 影响期 of their sanction (a record with no
 * 影响期, or one over, needs none) and recorded once made. 审理室 and the 片区督查组 (own 片区 only) plan and record; the
 * commission's leaders and 党风政风监督室 read. Every step and every list is audited in its transaction (ids only;
 * what the visit found is sealed).
 */
export class DisciplineVisits {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(principal: Claims, state: 'planned' | 'done' | 'all'): Promise<VisitListAnswer> {
    const today = localDay(this.now());
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const r = await q.query<VisitRow>(
        `${VISIT_SELECT} WHERE ($1::text IS NULL OR u.district_code = $1::text) AND ($2::text = 'all' OR v.state = $2::text)
          ORDER BY v.state, v.planned_on, v.id LIMIT 501`,
        [district ?? null, state],
      );
      const items = r.rows.slice(0, 500).map((v) => this.viewOf(v, today, false));
      await this.audit(q, principal, 'visit.list', newId(), { state, results: items.length, district: district ?? null });
      return { items, truncated: r.rows.length > 500, asOf: today };
    });
  }

  async plan(principal: Claims, input: PlanInput): Promise<VisitView> {
    const today = localDay(this.now());
    if (input.plannedOn < today) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.visits.plannedInPast, ['plannedOn']);
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const same = await q.query<{ record_id: string; planned_by: string }>('SELECT record_id, planned_by FROM discipline_visits WHERE id = $1', [input.id]);
      if (same.rows[0]) {
        // The same request again (a retry after a lost answer): the visit as it stands.
        if (same.rows[0].record_id !== input.recordId || same.rows[0].planned_by !== principal.sub)
          throw new AppError('CONFLICT', ERROR_MESSAGES.visits.sameIdOther);
        return this.one(q, input.id, district, today, true);
      }
      const rec = await q.query<RecordRow & { district_code: string | null }>(
        `SELECT r.id, r.official_code, to_char(r.decided_on, 'YYYY-MM-DD') AS decided_on, r.kind, r.sanction, r.probation_months, r.authority, r.reason, u.district_code
           FROM discipline_records r JOIN officials o ON o.code = r.official_code LEFT JOIN org_units u ON u.code = o.unit_code WHERE r.id = $1`,
        [input.recordId],
      );
      const row = rec.rows[0];
      if (!row || (district && row.district_code !== district)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.visits.recordNotFound, ['recordId']);
      const effect = recordOf(row, today).effect;
      // Only a sanction whose 影响期 is running and ends: one over, none, or 开除 (no end, and no longer theirs to educate) needs no visit.
      if (effect.state !== 'in_effect' || !effect.endsOn) throw new AppError('CONFLICT', ERROR_MESSAGES.visits.notInEffect);
      if (input.plannedOn > effect.endsOn) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.visits.plannedAfterEffect(effect.endsOn), ['plannedOn']);
      await q.query('INSERT INTO discipline_visits (id, record_id, planned_on, planned_by, planned_at) VALUES ($1, $2, $3, $4, $5)', [
        input.id,
        input.recordId,
        input.plannedOn,
        principal.sub,
        this.now(),
      ]);
      const view = await this.one(q, input.id, district, today, true);
      await this.audit(q, principal, 'visit.plan', input.id, { record: input.recordId, official: row.official_code });
      return view;
    });
  }

  async record(principal: Claims, id: string, input: RecordInput): Promise<VisitView> {
    const today = localDay(this.now());
    if (input.doneOn > today) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.visits.doneInFuture, ['doneOn']);
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const r = await q.query<{ state: string; record_id: string; decided_on: string; district_code: string | null }>(
        `SELECT v.state, v.record_id, to_char(r.decided_on, 'YYYY-MM-DD') AS decided_on, u.district_code FROM discipline_visits v
           JOIN discipline_records r ON r.id = v.record_id JOIN officials o ON o.code = r.official_code LEFT JOIN org_units u ON u.code = o.unit_code
          WHERE v.id = $1 FOR UPDATE OF v`,
        [id],
      );
      const v = r.rows[0];
      if (!v || (district && v.district_code !== district)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.visits.notFound);
      if (v.state === 'done') throw new AppError('CONFLICT', ERROR_MESSAGES.visits.done);
      if (input.doneOn < v.decided_on) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.visits.doneBeforeDecision, ['doneOn']);
      await q.query(`UPDATE discipline_visits SET state = 'done', done_on = $2, notes_ct = $3, recorded_by = $4, recorded_at = $5 WHERE id = $1`, [
        id,
        input.doneOn,
        sealText(personalDataKeys(this.db), notesPlace(id, v.record_id), input.notes),
        principal.sub,
        this.now(),
      ]);
      const view = await this.one(q, id, district, today, true);
      await this.audit(q, principal, 'visit.record', id, { record: v.record_id });
      return view;
    });
  }

  private async one(q: Tx, id: string, district: string | undefined, today: string, withNotes: boolean): Promise<VisitView> {
    const r = await q.query<VisitRow>(`${VISIT_SELECT} WHERE v.id = $1`, [id]);
    const v = r.rows[0];
    if (!v || (district && v.district_code !== district)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.visits.notFound);
    return this.viewOf(v, today, withNotes);
  }

  private viewOf(v: VisitRow, today: string, withNotes: boolean): VisitView {
    let notes: string | null = null;
    if (withNotes && v.notes_ct) {
      try {
        notes = openText(personalDataKeys(this.db), notesPlace(v.visit_id, v.id), v.notes_ct);
      } catch (err) {
        if (err instanceof DecryptError) throw new IntegrityError('discipline_visit', v.visit_id);
        throw err;
      }
    }
    return {
      id: v.visit_id,
      recordId: v.id,
      officialCode: v.official_code,
      name: v.name,
      unitName: v.unit_name,
      kind: v.kind,
      decidedOn: v.decided_on,
      effectEndsOn: recordOf(v, today).effect.endsOn,
      plannedOn: v.planned_on,
      state: v.state,
      overdue: v.state === 'planned' && v.planned_on < today,
      doneOn: v.done_on,
      notes,
      plannedBy: v.planned_by,
      recordedBy: v.recorded_by,
    };
  }

  private audit(q: Tx, principal: Claims, action: AuditAction, objectId: string, details: AuditDetails): Promise<unknown> {
    return appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action,
      objectType: action === 'visit.list' ? 'visit_list' : 'discipline_visit',
      objectId,
      details,
    });
  }
}
