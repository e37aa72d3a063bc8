import type { z } from 'zod';
import {
  AppError,
  CASE_RULES,
  CHECK_CONCLUSIONS,
  DISPOSITION_ACTIONS,
  DISPOSITION_LABELS,
  DISPOSITIONS,
  DISPOSITIONS_WITH_OUTCOME,
  LETTER_ASSESSMENTS,
  checkTransition,
  nextStatus,
  type CaseClock,
  type CaseTransitionBody,
  type CaseWorkflowView,
  type HandlerSide,
  ERROR_MESSAGES,
} from '@vj/shared';
import { appendAudit, type AuditDetails } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { loadPolicy, needRule, type DeadlinePolicy } from './case-policy.js';
import { namedAsAccused, Recused } from './conflicts.js';
import { assertMayGoDown } from './jurisdiction.js';
import { checkTownshipHandoff } from './township-handoff.js';
import { dayFromIso, dayOf, dueAt, dueStateAt, endOfDay, type ClockRule } from './deadline-clock.js';
import { concludeDueAt, jiaobanDueAt, noticeResultDueAt, progressDueAt, reviewDueAt } from './matter-clocks.js';
import { dispositionSide, workflowView, type CaseRow, type FileNameOpener } from './workflow-view.js';

type Body = z.output<typeof CaseTransitionBody>;

const isTownshipRole = (c: Claims) => c.role === 'township_handler' || c.role === 'township_staff';

const REFUSAL_TEXT = { forbidden: ERROR_MESSAGES.cases.roleMayNotAct, invalid_state: ERROR_MESSAGES.cases.notNow } as const;

/** A refusal that turns on the matter's class or naming, said as such (the code stays INVALID_STATE). */
function classRefusal(action: Body['action'], p: CaseRow): string | undefined {
  const rule = CASE_RULES[action];
  if (rule.classes && !rule.classes.includes(p.matter_class)) {
    if (DISPOSITION_ACTIONS.has(action)) return ERROR_MESSAGES.cases.dispositionOnlyAccusations;
    return p.matter_class === 'other' ? ERROR_MESSAGES.cases.outsideRemit : ERROR_MESSAGES.cases.onlyOtherClass;
  }
  if (rule.namedOnly && p.anonymous) return ERROR_MESSAGES.cases.anonymousNoNotice;
  return undefined;
}

/**
 * Whose a lead's outcome is to record: the side that made the disposition in force. A county 暂存待查 on a lead since
 * 交办 is no decision yet to the township (it decides one itself), so with it, as with none, the side handling the case.
 */
const outcomeSide = (p: CaseRow): HandlerSide | null =>
  p.disposition && !(p.disposition === 'shelve' && dispositionSide(p) !== p.handler_side) ? dispositionSide(p) : p.handler_side;

/**
 * The clock that runs now: acceptance until the county decides, then the handling period until closure; on a
 * concluded 信访-track matter, the 复查 (then the 复核) the petitioner asked for, until its opinion is given.
 */
export function currentClock(
  p: Pick<
    CaseRow,
    | 'status'
    | 'decided_at'
    | 'accept_due_at'
    | 'conclude_due_at'
    | 'review_requested_at'
    | 'review_due_at'
    | 'review_decided_at'
    | 'recheck_requested_at'
    | 'recheck_due_at'
    | 'recheck_decided_at'
    | 'disposition'
    | 'disposition_side'
    | 'handler_side'
    | 'disposition_review_due_at'
    | 'route'
    | 'progress_due_at'
  >,
): { clock: CaseClock; due: Date } | null {
  if (p.status === 'closed') {
    if (p.recheck_requested_at && !p.recheck_decided_at && p.recheck_due_at) return { clock: 'recheck', due: p.recheck_due_at };
    if (p.review_requested_at && !p.review_decided_at && p.review_due_at) return { clock: 'review', due: p.review_due_at };
    return null;
  }
  if (!p.decided_at) return p.accept_due_at ? { clock: 'accept', due: p.accept_due_at } : null;
  // 暂存待查, by the side handling the lead (a county shelving before a 交办 is not the township's clock): on the
  // county's own case the lead waits for its review day instead of running the handling clock.
  const shelved =
    p.disposition === 'shelve' && p.disposition_review_due_at && DISPOSING.has(p.status) && dispositionSide(p) === p.handler_side
      ? p.disposition_review_due_at
      : null;
  if (shelved && p.handler_side === 'county') return { clock: 'shelved', due: shelved };
  // 交办: the progress report, the result and a lead the township shelved each have a date; the one that falls due
  // first is the clock that runs (a late progress report shows as 进展报告逾期 while the result's deadline is far off).
  const progress = p.route === 'jiaoban' && PROGRESS_OWED.has(p.status) ? p.progress_due_at : null;
  let c: { clock: CaseClock; due: Date } | null = p.conclude_due_at ? { clock: 'conclude', due: p.conclude_due_at } : null;
  for (const [clock, due] of [
    ['progress', progress],
    ['shelved', shelved],
  ] as const)
    if (due && (!c || due < c.due)) c = { clock, due };
  return c;
}

/** The statuses in which a lead is disposed of (decide_disposition's): where a 暂存待查 review day runs. */
const DISPOSING: ReadonlySet<CaseRow['status']> = new Set(CASE_RULES.decide_disposition.from);

/** While a 交办 matter is with the township (not while the county reviews its result), progress reports are owed. */
export const PROGRESS_OWED: ReadonlySet<CaseRow['status']> = new Set(['referred', 'handling', 'returned']);

/** SQL: the case has a clock running (open, or a 复查/复核 waiting for its opinion): what the sweep and the board read. */
// A sealed matter is not this county's to run: it goes up to the next level, and no board or alert shows it.
export const CLOCK_RUNNING_SQL = `NOT sealed AND (status <> 'closed' OR (review_requested_at IS NOT NULL AND review_decided_at IS NULL) OR (recheck_requested_at IS NOT NULL AND recheck_decided_at IS NULL))`;

/**
 * A lead in 暂存待查 comes due on its review day itself: the day is the supervisor's choice, not a period of the policy
 * table, so there is no row to read (and no warning before the day).
 */
const SHELVED_RULE: ClockRule = { days: 0, counting: 'calendar', dueSoonDays: 0 };

/** The case's due state under its own class's rules. */
export function dueStateOf(p: CaseRow, policy: DeadlinePolicy, now: Date) {
  const c = currentClock(p);
  if (!c) return 'ok';
  return dueStateAt(now, c.due, c.clock === 'shelved' ? SHELVED_RULE : needRule(policy, p.matter_class, c.clock), policy.calendar);
}

/**
 * Moves a case through the workflow. One transaction per action: the row is locked, the rule table decides,
 * the step, the new state and the audit row commit together, and a refused action changes nothing.
 */
export class CaseService {
  constructor(
    private readonly db: Db,
    /** Injected by tests that move the clock. */
    private readonly now: () => Date = () => new Date(),
    /** Opens step evidence file names for the case record; without it they are listed unnamed. */
    private readonly names?: FileNameOpener,
  ) {}

  /**
   * A township role reads only cases referred to its own township (from referral on, closed ones included) that
   * do not name it; anything else is "not found". A case the county handles itself never shows to a township. A
   * county role named in the case is refused (Recused).
   */
  async visibleRow(q: Tx | Db, principal: Claims, id: string, lock = false): Promise<CaseRow> {
    const r = await q.query<CaseRow & { named: boolean }>(
      `SELECT p.*, ${namedAsAccused(2)} AS named FROM petitions p WHERE p.id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id, principal.sub],
    );
    const p = r.rows[0];
    // A sealed matter answers as a missing one to every workflow caller: only the leader's page reads it.
    if (!p || p.sealed) throw new AppError('NOT_FOUND', ERROR_MESSAGES.cases.notFound);
    if (isTownshipRole(principal) && (p.township_code !== principal.twp || p.handler_side !== 'township' || p.named))
      throw new AppError('NOT_FOUND', ERROR_MESSAGES.cases.notFound);
    // A county officer or supervisor named in it neither reads its record nor acts on it (回避).
    if (p.named) throw new Recused();
    return p;
  }

  async workflow(principal: Claims, id: string): Promise<CaseWorkflowView> {
    const p = await this.visibleRow(this.db, principal, id);
    return workflowView(this.db, p, isTownshipRole(principal) ? 'township' : 'county', this.names);
  }

  async transition(principal: Claims, id: string, body: Body): Promise<CaseWorkflowView> {
    return this.db.tx(async (q) => {
      const p = await this.visibleRow(q, principal, id, true);
      const prior = await q.query<{ petition_id: string; action: string }>('SELECT petition_id, action FROM case_steps WHERE id = $1', [body.stepId]);
      if (prior.rows[0]) {
        if (prior.rows[0].petition_id !== id || prior.rows[0].action !== body.action) throw new AppError('CONFLICT', ERROR_MESSAGES.cases.stepIdReused);
        return workflowView(q, p, isTownshipRole(principal) ? 'township' : 'county', this.names);
      }
      const sideOf = body.action === 'record_outcome' ? outcomeSide(p) : p.handler_side;
      const check = checkTransition(body.action, p.status, sideOf, principal.role, { matterClass: p.matter_class, named: !p.anonymous });
      if (check !== 'ok')
        throw new AppError(
          check === 'forbidden' ? 'FORBIDDEN' : 'INVALID_STATE',
          (check === 'invalid_state' && classRefusal(body.action, p)) || REFUSAL_TEXT[check],
        );
      if (body.action === 'township_accept' && p.assigned_handler && p.assigned_handler !== principal.sub)
        throw new AppError('FORBIDDEN', ERROR_MESSAGES.cases.assignedToOther);

      const now = this.now();
      const policy = await loadPolicy(q);
      const changes: Record<string, unknown> = {};
      const details: AuditDetails = { stepId: body.stepId, from: p.status, to: nextStatus(body.action, p.status) };
      let days: number | null = null;
      let text = 'text' in body ? body.text : '';
      const side: HandlerSide = isTownshipRole(principal) ? 'township' : 'county';

      switch (body.action) {
        case 'accept':
          Object.assign(changes, { handler_side: 'county', decided_at: now, conclude_due_at: concludeDueAt(policy, p.matter_class, now) });
          break;
        case 'refer': {
          Object.assign(details, await checkTownshipHandoff(q, principal, id, p.township_code, body, 'jiaoban'), body.dueDate ? { dueDate: body.dueDate } : {});
          Object.assign(changes, {
            handler_side: 'township',
            // Today's referral is 交办: the township reports by a deadline and the county reviews the result.
            route: 'jiaoban',
            assigned_handler: body.handlerId,
            decided_at: p.decided_at ?? now,
            // The deadline the county sets with the 交办, else the one it already had, else the policy's period.
            conclude_due_at: body.dueDate ? jiaobanDueAt(body.dueDate, now) : (p.conclude_due_at ?? concludeDueAt(policy, p.matter_class, now)),
            // The first progress report is owed a period after the 交办 itself.
            progress_due_at: progressDueAt(policy, p.matter_class, now),
            // A deadline set with this 交办 is a new assignment: its one extension is still to be had, and a request
            // made against the old deadline no longer applies.
            ...(body.dueDate ? { extensions_used: 0, extension_pending: null } : {}),
          });
          // What the new deadline set aside, on the record.
          if (body.dueDate && (p.extensions_used > 0 || p.extension_pending))
            Object.assign(details, { extensionsUsedBefore: p.extensions_used, extensionRequestDropped: p.extension_pending !== null });
          break;
        }
        case 'transfer': {
          // 转办: the body with jurisdiction handles it under its own authority: no handling deadline, no progress
          // reports, no county review. Deciding it stops the accept clock (register and 转办 within 5 working days).
          const common = { route: 'zhuanban', decided_at: p.decided_at ?? now, conclude_due_at: null, progress_due_at: null, extension_pending: null };
          if (body.to === 'township') {
            if (body.otherBody) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.noOtherBodyForTownship, ['otherBody']);
            Object.assign(details, await checkTownshipHandoff(q, principal, id, p.township_code, body, 'zhuanban'));
            Object.assign(changes, common, { handler_side: 'township', assigned_handler: body.handlerId, transfer_to: null });
          } else {
            if (!body.otherBody) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.otherBodyRequired, ['otherBody']);
            if (body.handlerId || body.overrideReason) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.noHandlerForOtherBody, ['handlerId']);
            // The county keeps the record: the outcome, if the body reports one, is recorded on the county's side.
            Object.assign(changes, common, { handler_side: 'county', assigned_handler: null, transfer_to: body.otherBody });
          }
          Object.assign(details, { to: body.to });
          break;
        }
        case 'record_transfer_outcome':
          // Closes the matter for the county's record. No result notice is owed by the county: the body that handled
          // it under its own authority owes it; the county may still give one (notify_result).
          changes.closed_at = now;
          break;
        case 'report_progress':
          if (p.route !== 'jiaoban') throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.progressOnlyJiaoban);
          changes.progress_due_at = progressDueAt(policy, p.matter_class, now);
          Object.assign(details, { late: Boolean(p.progress_due_at && now > p.progress_due_at) });
          break;
        case 'township_accept':
          changes.assigned_handler = principal.sub;
          break;
        case 'report':
          // The result is in: no progress report is owed while the county reviews it.
          Object.assign(changes, { reported_at: now, ...(p.route === 'jiaoban' ? { progress_due_at: null } : {}) });
          break;
        case 'approve':
          // The conclusion starts the result notice's clock for a named accuser.
          Object.assign(changes, {
            feedback: body.feedback,
            closed_at: now,
            notice_result_due_at: noticeResultDueAt(policy, p.matter_class, !p.anonymous, now),
          });
          text = body.text;
          break;
        case 'forward_other':
          Object.assign(changes, { closed_at: now, ...(body.otherBody ? { other_body: body.otherBody } : {}) });
          Object.assign(details, { otherBodyChanged: Boolean(body.otherBody && body.otherBody !== p.other_body) });
          break;
        case 'notify_accept':
          if (p.notice_accept_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.acceptNoticeGiven);
          Object.assign(changes, { notice_accept_at: now, notice_accept_via: body.via, notice_accept_text: body.text });
          Object.assign(details, { via: body.via, late: Boolean(p.notice_accept_due_at && now > p.notice_accept_due_at) });
          break;
        case 'notify_result':
          if (p.notice_result_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.resultNoticeGiven);
          Object.assign(changes, { notice_result_at: now, notice_result_via: body.via, notice_result_text: body.text });
          Object.assign(details, { via: body.via, late: Boolean(p.notice_result_due_at && now > p.notice_result_due_at) });
          break;
        case 'record_response':
          if (!p.notice_result_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.resultNoticeFirst);
          if (p.accuser_response) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.responseRecorded);
          Object.assign(changes, { accuser_response: body.response, accuser_response_text: body.text, accuser_response_at: now });
          Object.assign(details, { response: body.response });
          break;
        // 复查 and 复核: the county records the request and its clock, then the opinion. Whether a request came within
        // its own window (30 days of the written answer) is for the officer to judge: the rule's start is not recorded.
        case 'request_review':
          if (p.review_requested_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.reviewRequested);
          Object.assign(changes, { review_requested_at: now, review_due_at: reviewDueAt(policy, p.matter_class, 'review', now) });
          break;
        case 'decide_review':
          if (!p.review_requested_at || p.review_decided_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.noPendingReview);
          Object.assign(changes, { review_decided_at: now, review_opinion: body.opinion });
          text = body.text ? `${body.opinion}\n${body.text}` : body.opinion;
          break;
        case 'request_recheck':
          if (!p.review_decided_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.reviewDecisionFirst);
          if (p.recheck_requested_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.recheckRequested);
          Object.assign(changes, { recheck_requested_at: now, recheck_due_at: reviewDueAt(policy, p.matter_class, 'recheck', now) });
          break;
        case 'decide_recheck':
          if (!p.recheck_requested_at || p.recheck_decided_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.noPendingRecheck);
          Object.assign(changes, { recheck_decided_at: now, recheck_opinion: body.opinion });
          text = body.text ? `${body.opinion}\n${body.text}` : body.opinion;
          break;
        case 'decide_disposition': {
          // The body is checked first, against nothing of the case: what a bad one is told cannot depend on what
          // the county decided (a township could otherwise probe it without deciding anything).
          if (!DISPOSITIONS.includes(body.disposition)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.dispositionRequired, ['disposition']);
          const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
          if (reason.length < 5) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.reasonTooShort, ['reason']);
          let reviewDue: Date | null = null;
          if (body.disposition === 'shelve') {
            if (!body.reviewOn) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.reviewOnRequired, ['reviewOn']);
            const reviewDay = dayFromIso(body.reviewOn);
            if (!Number.isFinite(reviewDay) || reviewDay <= dayOf(now)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.reviewOnTooEarly, ['reviewOn']);
            reviewDue = endOfDay(reviewDay);
          } else if (body.reviewOn) {
            throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.reviewOnOnlyShelved, ['reviewOn']);
          }
          // The side handling the lead disposes of it. A lead the county shelved and then 交办 is the township's to
          // decide; any other county disposition stays the county's (the township assists), and the refusal names no
          // label: a township never reads the county's decision.
          // (The county never reaches here on a township's case: the rule table gives deciding to the side handling it.)
          if (p.disposition && dispositionSide(p) !== side && !(side === 'township' && p.disposition === 'shelve'))
            throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.dispositionByCounty);
          // Decided once; only a lead in 暂存待查 is decided again (when it comes back for review).
          if (p.disposition && p.disposition !== 'shelve')
            throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.dispositionMade(DISPOSITION_LABELS[p.disposition]));
          Object.assign(changes, {
            disposition: body.disposition,
            disposition_side: side,
            disposition_reason: reason,
            disposition_at: now,
            disposition_review_due_at: reviewDue,
            disposition_outcome: null,
            disposition_outcome_text: null,
            disposition_outcome_at: null,
          });
          Object.assign(details, {
            disposition: body.disposition,
            was: p.disposition,
            side,
            reviewOn: body.disposition === 'shelve' ? body.reviewOn : null,
          });
          text = reason;
          break;
        }
        case 'record_outcome': {
          const o = body.outcome;
          // The rule table gave the outcome to the side that decided (outcomeSide); a county 暂存待查 a township may
          // still decide over is, to that township, no decision yet.
          if (p.disposition && dispositionSide(p) !== side) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.dispositionFirst);
          if (!p.disposition) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.dispositionFirst);
          if (!DISPOSITIONS_WITH_OUTCOME.includes(p.disposition))
            throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.noOutcomeFor(DISPOSITION_LABELS[p.disposition]));
          if (!o || o.disposition !== p.disposition)
            throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.outcomeOtherDisposition(DISPOSITION_LABELS[p.disposition]), ['outcome.disposition']);
          if (p.disposition_outcome) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.outcomeRecorded);
          const [code, words] = o.disposition === 'talk_letter' ? [o.assessment, o.reply] : [o.conclusion, o.summary];
          const ok = o.disposition === 'talk_letter' ? LETTER_ASSESSMENTS.includes(code as never) : CHECK_CONCLUSIONS.includes(code as never);
          if (!ok)
            throw new AppError(
              'BAD_REQUEST',
              o.disposition === 'talk_letter' ? ERROR_MESSAGES.cases.talkLetterAssessment : ERROR_MESSAGES.cases.verificationConclusion,
              ['outcome'],
            );
          const said = typeof words === 'string' ? words.trim() : '';
          if (said.length < 5)
            throw new AppError(
              'BAD_REQUEST',
              o.disposition === 'talk_letter' ? ERROR_MESSAGES.cases.talkLetterSummary : ERROR_MESSAGES.cases.verificationSummary,
              ['outcome'],
            );
          Object.assign(changes, { disposition_outcome: code, disposition_outcome_text: said, disposition_outcome_at: now });
          Object.assign(details, { disposition: p.disposition, outcome: code });
          text = said;
          break;
        }
        case 'request_extension': {
          const extension = needRule(policy, p.matter_class, 'extension');
          if (p.extension_pending) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.extensionPending);
          if (p.extensions_used >= extension.maxCount) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.extensionsUsed(extension.maxCount));
          if (body.days > extension.days) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.extensionTooLong(extension.days), ['days']);
          changes.extension_pending = JSON.stringify({ days: body.days, reason: body.text, requestedAt: now.toISOString(), by: principal.sub });
          days = body.days;
          break;
        }
        case 'decide_extension': {
          const pending = p.extension_pending;
          if (!pending) throw new AppError('INVALID_STATE', ERROR_MESSAGES.cases.noPendingExtension);
          days = pending.days;
          changes.extension_pending = null;
          if (body.approve) {
            const from = p.conclude_due_at ?? now;
            const counting = needRule(policy, p.matter_class, 'extension').counting;
            Object.assign(changes, { conclude_due_at: dueAt(from, { days: pending.days, counting }, policy.calendar), extensions_used: p.extensions_used + 1 });
          }
          Object.assign(details, { approved: body.approve, days: pending.days });
          break;
        }
        case 'return':
          // Back to the same township to redo: the jurisdiction rule is read again, since a registry import since
          // the referral may have made an accused a 县管干部 (then the county keeps it: it approves or reassigns).
          await assertMayGoDown(q, id, p.township_code);
          // Progress reports are owed again, counted from the return.
          if (p.route === 'jiaoban') changes.progress_due_at = progressDueAt(policy, p.matter_class, now);
          break;
        case 'add_step':
          break;
      }
      const to = nextStatus(body.action, p.status);
      const after = { ...p, ...changes, status: to } as CaseRow;
      changes.due_state = dueStateOf(after, policy, now);
      changes.status = to;
      await q.query(
        `INSERT INTO case_steps (id, petition_id, action, from_status, to_status, text, days, actor_id, actor_role, side, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [body.stepId, id, body.action, p.status, to, text, days, principal.sub, principal.role, side, now],
      );
      if (body.action === 'add_step' || body.action === 'report' || body.action === 'report_progress')
        await this.linkEvidence(q, principal, id, body.stepId, body.attachmentIds);
      const cols = Object.keys(changes);
      await q.query(
        `UPDATE petitions SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')}, updated_at = $${cols.length + 2}, version = version + 1 WHERE id = $1`,
        [id, ...cols.map((c) => changes[c]), now],
      );
      // Audited last: appendAudit holds the chain lock until commit.
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: `case.${body.action}`,
        objectType: 'petition',
        objectId: id,
        townshipCode: p.township_code,
        details,
      });
      const fresh = await q.query<CaseRow>('SELECT * FROM petitions WHERE id = $1', [id]);
      return workflowView(q, fresh.rows[0]!, isTownshipRole(principal) ? 'township' : 'county', this.names);
    });
  }

  /**
   * Evidence is uploaded first (idempotently, by id), then attached to exactly one step, by its uploader. A
   * township upload is marked 'handling' by its route; a county upload stays county-only whatever step holds it.
   */
  private async linkEvidence(q: Tx, principal: Claims, petitionId: string, stepId: string, ids: string[]): Promise<void> {
    const unique = [...new Set(ids)];
    if (!unique.length) return;
    const r = await q.query(
      `UPDATE petition_attachments SET step_id = $4
       WHERE id = ANY($1::uuid[]) AND petition_id = $2 AND step_id IS NULL AND uploaded_by = $3`,
      [unique, petitionId, principal.sub, stepId],
    );
    // Throwing rolls back the step and the links made so far.
    if (r.rowCount !== unique.length) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.attachments.notListed, ['attachmentIds']);
  }
}
