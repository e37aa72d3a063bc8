import {
  AppError,
  ERROR_MESSAGES,
  localDay,
  RecommendationAction,
  type RecommendationDetail,
  type RecommendationEvent,
  RecommendationInput,
  type RecommendationListAnswer,
  RecommendationListQuery,
  type RecommendationState,
  type UnitAnswer,
} from '@vj/shared';
import type { z } from 'zod';
import { appendAudit, type AuditDetails } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { districtOf } from './district-scope.js';
import { findUnits, IS_OVERDUE, letterDetail, summaryOf, summarySelect, type SummaryRow } from './recommendation-views.js';

type Input = z.output<typeof RecommendationInput>;
type Action = z.output<typeof RecommendationAction>;
type ListQuery = z.output<typeof RecommendationListQuery>;

/** Which state each step starts from; 'closed' allows none. */
const FROM: Record<Action['action'], RecommendationState> = {
  report: 'awaiting_report',
  accept: 'report_received',
  return: 'report_received',
  review: 'review_pending',
};
const WRONG_STATE = {
  awaiting_report: ERROR_MESSAGES.recommendations.notAwaitingReport,
  report_received: ERROR_MESSAGES.recommendations.notReportReceived,
  review_pending: ERROR_MESSAGES.recommendations.notReviewPending,
  closed: ERROR_MESSAGES.recommendations.closed,
} satisfies Record<RecommendationState, string>;

/**
 * 查办 → 建议 → 整改 → 回头看: letters (建议书) to units and their closed loop. A letter is issued awaiting the unit's
 * 整改报告; the report is assessed (通过 schedules the 回头看, 退回 opens the next round with a new deadline); the 回头看
 * closes it (整改到位) or opens the next round (未到位). Each step locks the letter, checks its state and dates, and
 * writes the change, its timeline entry and its audit row in one transaction: a refusal changes nothing.
 */
export class Recommendations {
  constructor(
    private readonly db: Db,
    /** Injected by tests that move the clock; deadlines compare with the county's calendar day of it. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  private today(): string {
    return localDay(this.now());
  }

  async list(principal: Claims, query: ListQuery): Promise<RecommendationListAnswer> {
    const today = this.today();
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const r = await q.query<SummaryRow>(
        `${summarySelect()} AND ($3::text IS NULL OR l.state = $3::text) AND (NOT $4::boolean OR ${IS_OVERDUE})
          ORDER BY l.state = 'closed', l.deadline, l.doc_number LIMIT $5`,
        [today, district ?? null, query.state ?? null, query.overdue === '1', query.limit + 1],
      );
      return { items: r.rows.slice(0, query.limit).map(summaryOf), truncated: r.rows.length > query.limit, asOf: today };
    });
  }

  /** 督办: every letter behind its deadline or its 回头看 date, the latest first. */
  async board(principal: Claims): Promise<RecommendationListAnswer> {
    const today = this.today();
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const r = await q.query<SummaryRow>(`${summarySelect()} AND ${IS_OVERDUE} ORDER BY overdue_days DESC, l.doc_number LIMIT 501`, [today, district ?? null]);
      return { items: r.rows.slice(0, 500).map(summaryOf), truncated: r.rows.length > 500, asOf: today };
    });
  }

  /** A letter's page, audited in the reading transaction: it names the people its records are about. */
  async detail(principal: Claims, id: string): Promise<RecommendationDetail> {
    const today = this.today();
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const view = await letterDetail(q, id, district, today);
      if (!view) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recommendations.notFound);
      await this.audit(q, principal, 'recommendation.view', id, { records: view.links.length });
      return view;
    });
  }

  async units(principal: Claims, words: string): Promise<UnitAnswer> {
    return this.db.tx(async (q) => findUnits(q, words, await districtOf(q, principal)));
  }

  async issue(principal: Claims, body: Input): Promise<RecommendationDetail> {
    const today = this.today();
    try {
      return await this.db.tx(async (q) => {
        const district = await districtOf(q, principal);
        const same = await q.query<{ id: string }>('SELECT id FROM recommendation_letters WHERE doc_number = $1 OR id = $2', [body.docNumber, body.id]);
        if (same.rows.length) {
          // The same request again (a retry after a lost answer): the letter as it stands.
          if (same.rows.length === 1 && same.rows[0]!.id === body.id) return this.view(q, body.id, district, today);
          throw new AppError('CONFLICT', ERROR_MESSAGES.recommendations.duplicateDocNumber);
        }
        if (body.issuedOn > today) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.recommendations.issuedInFuture, ['issuedOn']);
        const unit = await q.query('SELECT 1 FROM org_units WHERE code = $1 AND ($2::text IS NULL OR district_code = $2::text)', [
          body.unitCode,
          district ?? null,
        ]);
        if (!unit.rowCount) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.recommendations.unitNotFound, ['unitCode']);
        const recordIds = [...new Set(body.recordIds)];
        const found = await q.query<{ id: string }>('SELECT id FROM discipline_records WHERE id = ANY($1::text[])', [recordIds]);
        const missing = recordIds.find((r) => !found.rows.some((f) => f.id === r));
        if (missing) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.recommendations.recordNotFound(missing), ['recordIds']);
        const at = this.now();
        await q.query(
          `INSERT INTO recommendation_letters (id, kind, doc_number, unit_code, issued_on, problems, requests, deadline, created_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
          [body.id, body.kind, body.docNumber, body.unitCode, body.issuedOn, body.problems, body.requests, body.deadline, principal.sub, at],
        );
        await q.query('INSERT INTO recommendation_letter_records (letter_id, record_id) SELECT $1, unnest($2::text[])', [body.id, recordIds]);
        await this.event(q, body.id, principal, at, { type: 'issued', day: body.issuedOn, text: '', deadline: body.deadline, reviewOn: null });
        await this.audit(q, principal, 'recommendation.issue', body.id, {
          kind: body.kind,
          unit: body.unitCode,
          deadline: body.deadline,
          records: recordIds.length,
        });
        return this.view(q, body.id, district, today);
      });
    } catch (err) {
      // Two letters of one number at once: the unique index refuses the second.
      if ((err as { code?: string }).code === '23505') throw new AppError('CONFLICT', ERROR_MESSAGES.recommendations.duplicateDocNumber);
      throw err;
    }
  }

  /** One step of the loop: 整改报告, 通过, 退回 or 回头看. */
  async act(principal: Claims, id: string, a: Action): Promise<RecommendationDetail> {
    const today = this.today();
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const r = await q.query<{ state: RecommendationState; issued_on: string; round: number }>(
        `SELECT l.state, to_char(l.issued_on, 'YYYY-MM-DD') AS issued_on, l.round FROM recommendation_letters l JOIN org_units u ON u.code = l.unit_code
          WHERE l.id = $1 AND ($2::text IS NULL OR u.district_code = $2::text) FOR UPDATE OF l`,
        [id, district ?? null],
      );
      const l = r.rows[0];
      if (!l) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recommendations.notFound);
      if (l.state !== FROM[a.action]) throw new AppError('INVALID_STATE', l.state === 'closed' ? WRONG_STATE.closed : WRONG_STATE[FROM[a.action]]);
      const step = this.step(a, l.issued_on, today);
      const at = this.now();
      const round = step.nextRound ? l.round + 1 : l.round;
      await q.query(
        `UPDATE recommendation_letters SET state = $2, round = $3, deadline = coalesce($4::date, deadline), review_on = coalesce($5::date, review_on), updated_at = $6
          WHERE id = $1`,
        [id, step.to, round, step.deadline, step.reviewOn, at],
      );
      await this.event(q, id, principal, at, step);
      const details: AuditDetails = { from: l.state, to: step.to, round };
      if (step.deadline) details['deadline'] = step.deadline;
      if (step.reviewOn) details['reviewOn'] = step.reviewOn;
      if (a.action === 'review') details['outcome'] = a.outcome;
      await this.audit(q, principal, `recommendation.${a.action}`, id, details);
      return this.view(q, id, district, today);
    });
  }

  /** What a step does, once its dates are checked against the letter and today. */
  private step(
    a: Action,
    issuedOn: string,
    today: string,
  ): { to: RecommendationState; type: RecommendationEvent; day: string; text: string; deadline: string | null; reviewOn: string | null; nextRound: boolean } {
    const later = (day: string, field: string) => {
      if (day <= today) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.recommendations.deadlineNotLater, [field]);
    };
    switch (a.action) {
      case 'report':
        if (a.receivedOn < issuedOn) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.recommendations.reportBeforeIssue, ['receivedOn']);
        if (a.receivedOn > today) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.recommendations.reportInFuture, ['receivedOn']);
        return { to: 'report_received', type: 'report', day: a.receivedOn, text: a.summary, deadline: null, reviewOn: null, nextRound: false };
      case 'accept':
        if (a.reviewOn <= today) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.recommendations.reviewNotLater, ['reviewOn']);
        return { to: 'review_pending', type: 'accepted', day: today, text: a.note, deadline: null, reviewOn: a.reviewOn, nextRound: false };
      case 'return':
        later(a.deadline, 'deadline');
        return { to: 'awaiting_report', type: 'returned', day: today, text: a.reason, deadline: a.deadline, reviewOn: null, nextRound: true };
      case 'review':
        if (a.outcome === 'done') return { to: 'closed', type: 'review_done', day: today, text: a.notes, deadline: null, reviewOn: null, nextRound: false };
        later(a.deadline!, 'deadline');
        return { to: 'awaiting_report', type: 'review_not_done', day: today, text: a.notes, deadline: a.deadline!, reviewOn: null, nextRound: true };
    }
  }

  private async view(q: Tx, id: string, district: string | undefined, today: string): Promise<RecommendationDetail> {
    const v = await letterDetail(q, id, district, today);
    if (!v) throw new AppError('NOT_FOUND', ERROR_MESSAGES.recommendations.notFound);
    return v;
  }

  private async event(
    q: Tx,
    id: string,
    principal: Claims,
    at: Date,
    e: { type: RecommendationEvent; day: string; text: string; deadline: string | null; reviewOn: string | null },
  ): Promise<void> {
    await q.query(
      `INSERT INTO recommendation_letter_events (letter_id, seq, type, at, day, text, deadline, review_on, actor_id)
       SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM recommendation_letter_events WHERE letter_id = $1`,
      [id, e.type, at, e.day, e.text, e.deadline, e.reviewOn, principal.sub],
    );
  }

  private async audit(
    q: Tx,
    principal: Claims,
    action: `recommendation.${'issue' | 'view' | Action['action']}`,
    id: string,
    details: AuditDetails,
  ): Promise<void> {
    await appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action, objectType: 'recommendation', objectId: id, details });
  }
}
