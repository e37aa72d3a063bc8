import {
  DISPOSITION_ACTIONS,
  NOTICE_ACTIONS,
  type AccuserResponse,
  type Disposition,
  type DispositionOutcome,
  type DispositionView,
  type CaseAction,
  type CaseNoticesView,
  type CaseReviewView,
  type CaseStepView,
  type CaseWorkflowView,
  type EscalationView,
  type HandlerSide,
  type NoticeVia,
} from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { dayOf, isoDay } from './deadline-clock.js';
import { progressShownDue } from './matter-clocks.js';
import type { PetitionRow } from '../petitions/presenters.js';

/** Opens the encrypted file names of one petition's evidence (the petition's data key, unwrapped once). */
export type FileNameOpener = (q: Queryable, petitionId: string) => Promise<(attachmentId: string, blob: Buffer) => string>;

export interface CaseRow extends PetitionRow {
  handler_side: HandlerSide | null;
  assigned_handler: string | null;
  decided_at: Date | null;
  accept_due_at: Date | null;
  conclude_due_at: Date | null;
  extensions_used: number;
  extension_pending: { days: number; reason: string; requestedAt: string; by: string } | null;
  reported_at: Date | null;
  closed_at: Date | null;
  due_state: CaseWorkflowView['dueState'];
  notice_accept_due_at: Date | null;
  notice_accept_at: Date | null;
  notice_accept_via: NoticeVia | null;
  notice_accept_text: string | null;
  notice_result_due_at: Date | null;
  notice_result_at: Date | null;
  notice_result_via: NoticeVia | null;
  notice_result_text: string | null;
  accuser_response: AccuserResponse | null;
  accuser_response_text: string | null;
  accuser_response_at: Date | null;
  review_requested_at: Date | null;
  review_due_at: Date | null;
  review_decided_at: Date | null;
  review_opinion: string | null;
  recheck_requested_at: Date | null;
  recheck_due_at: Date | null;
  recheck_decided_at: Date | null;
  recheck_opinion: string | null;
  clock_rules: number;
  disposition: Disposition | null;
  /** Who made the disposition in force (null with none). */
  disposition_side: HandlerSide | null;
  disposition_reason: string | null;
  disposition_at: Date | null;
  disposition_review_due_at: Date | null;
  disposition_outcome: DispositionOutcome | null;
  disposition_outcome_text: string | null;
  disposition_outcome_at: Date | null;
  transfer_to: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A 复查 or 复核 of the case, once asked for. */
function reviewOf(requested: Date | null, due: Date | null, decided: Date | null, opinion: string | null): CaseReviewView | null {
  return requested ? { requestedAt: requested.toISOString(), dueAt: iso(due), decidedAt: iso(decided), opinion } : null;
}

/** A named accusation's notices; null where there is no notice duty (anonymous, or not an accusation). */
export function noticesOf(p: CaseRow): CaseNoticesView | null {
  if (p.matter_class !== 'accusation' || p.anonymous) return null;
  return {
    acceptDueAt: iso(p.notice_accept_due_at),
    acceptGivenAt: iso(p.notice_accept_at),
    resultDueAt: iso(p.notice_result_due_at),
    resultGivenAt: iso(p.notice_result_at),
    response: p.accuser_response,
    responseText: p.accuser_response_text,
    responseAt: iso(p.accuser_response_at),
  };
}

/** Who made the disposition in force: every one made before sides were recorded was the county's. */
export const dispositionSide = (p: Pick<CaseRow, 'disposition_side'>): HandlerSide => p.disposition_side ?? 'county';

/** The lead's disposition in force, with its outcome; null until one is decided, and for a township, the county's. */
export function dispositionOf(p: CaseRow, audience: 'county' | 'township'): DispositionView | null {
  if (!p.disposition || !p.disposition_at) return null;
  const by = dispositionSide(p);
  if (audience === 'township' && by !== 'township') return null;
  return {
    disposition: p.disposition,
    decidedBy: by,
    reason: p.disposition_reason ?? '',
    decidedAt: p.disposition_at.toISOString(),
    reviewOn: p.disposition_review_due_at ? isoDay(dayOf(p.disposition_review_due_at)) : null,
    outcome: p.disposition_outcome,
    outcomeText: p.disposition_outcome_text,
    outcomeAt: iso(p.disposition_outcome_at),
  };
}

interface StepRow {
  id: string;
  action: string;
  from_status: CaseStepView['fromStatus'];
  to_status: CaseStepView['toStatus'];
  text: string;
  days: number | null;
  actor_name: string;
  actor_role: string;
  side: HandlerSide;
  at: Date;
}

/** County decisions whose words stay with the county: why it referred, and any conflict-of-interest override. */
const COUNTY_INTERNAL = new Set(['accept', 'refer', 'transfer', 'decide_extension', 'request_review', 'decide_review', 'request_recheck', 'decide_recheck']);

/** Review and recheck steps: the county handles them alone, after the case is closed. */
const REVIEW_ACTIONS = new Set(['request_review', 'decide_review', 'request_recheck', 'decide_recheck']);

/**
 * A case's clock state as a township may see it: a closed case's clock is the county's review or recheck, if any,
 * and that must not tell the township the petitioner came back.
 */
export function townshipDueState(p: { status: string; due_state: CaseRow['due_state'] }): CaseRow['due_state'] {
  return p.status === 'closed' ? 'ok' : p.due_state;
}

/** The escalations of several cases in one query, by petition id. */
export async function escalationsOf(q: Queryable, petitionIds: string[]): Promise<Map<string, EscalationView[]>> {
  const r = await q.query<{
    petition_id: string;
    clock: EscalationView['clock'];
    level: EscalationView['level'];
    due_at: Date;
    notified: EscalationView['notified'];
    notified_at: Date;
  }>('SELECT petition_id, clock, level, due_at, notified, notified_at FROM case_escalations WHERE petition_id = ANY($1::uuid[]) ORDER BY notified_at', [
    petitionIds,
  ]);
  const by = new Map<string, EscalationView[]>(petitionIds.map((id) => [id, []]));
  for (const e of r.rows)
    by.get(e.petition_id)!.push({
      clock: e.clock,
      level: e.level,
      dueAt: e.due_at.toISOString(),
      notified: e.notified,
      notifiedAt: e.notified_at.toISOString(),
    });
  return by;
}

/**
 * The case's handling record. The township audience gets its own evidence files only (never the petitioner's),
 * no county-internal reasoning, and no escalation details (who in the county was told).
 */
export async function workflowView(q: Queryable, p: CaseRow, audience: 'county' | 'township', names?: FileNameOpener): Promise<CaseWorkflowView> {
  const steps = await q.query<StepRow>(
    `SELECT s.id, s.action, s.from_status, s.to_status, s.text, s.days, u.display_name AS actor_name, s.actor_role, s.side, s.at
     FROM case_steps s JOIN users u ON u.id = s.actor_id WHERE s.petition_id = $1 ORDER BY s.at, s.id`,
    [p.id],
  );
  const files = await q.query<{ id: string; step_id: string; mime: string; size_bytes: number; uploaded_at: Date; for_step: boolean; filename_ct: Buffer }>(
    `SELECT id, step_id, mime, size_bytes, uploaded_at, for_step, filename_ct FROM petition_attachments WHERE petition_id = $1 AND step_id IS NOT NULL ORDER BY uploaded_at, id`,
    [p.id],
  );
  // Evidence uploaded for a step is named as its uploader named it; a file filed with the petition never is.
  const open = names && files.rows.length ? await names(q, p.id) : undefined;
  const nameOf = (f: (typeof files.rows)[number]) => (open && f.for_step ? open(f.id, f.filename_ct) : null);
  const handler = p.assigned_handler
    ? await q.query<{ display_name: string }>('SELECT display_name FROM users WHERE id = $1', [p.assigned_handler])
    : undefined;
  const county = audience === 'county';
  // A notice step says the accuser gave their name, a review step that the petitioner came back: both are the
  // county's alone, and a township sees neither the step nor that it exists. A disposition the county made is its
  // own record: a township sees only the disposition steps taken on its side (issue 16).
  const shown = county
    ? steps.rows
    : steps.rows.filter(
        (s) =>
          !NOTICE_ACTIONS.has(s.action as CaseAction) &&
          !REVIEW_ACTIONS.has(s.action) &&
          !(DISPOSITION_ACTIONS.has(s.action as CaseAction) && s.side !== 'township'),
      );
  return {
    status: p.status,
    matterClass: p.matter_class,
    route: p.route,
    transferTo: county ? p.transfer_to : null,
    progressDueAt: iso(progressShownDue(p.progress_due_at, p.conclude_due_at)),
    named: county ? !p.anonymous : null,
    notices: county ? noticesOf(p) : null,
    review: county ? reviewOf(p.review_requested_at, p.review_due_at, p.review_decided_at, p.review_opinion) : null,
    recheck: county ? reviewOf(p.recheck_requested_at, p.recheck_due_at, p.recheck_decided_at, p.recheck_opinion) : null,
    disposition: dispositionOf(p, audience),
    leadHeldByCounty: !county && Boolean(p.disposition) && dispositionSide(p) === 'county' && p.disposition !== 'shelve',
    side: p.handler_side,
    assignedHandler: p.assigned_handler ? { id: p.assigned_handler, name: handler?.rows[0]?.display_name ?? '' } : null,
    // The county's acceptance clock runs from the day the petition came in: a township would read the visit day off it.
    acceptDueAt: county ? (p.accept_due_at?.toISOString() ?? null) : null,
    concludeDueAt: p.conclude_due_at?.toISOString() ?? null,
    dueState: county ? p.due_state : townshipDueState(p),
    extensionsUsed: p.extensions_used,
    extensionPending: p.extension_pending
      ? { days: p.extension_pending.days, reason: p.extension_pending.reason, requestedAt: p.extension_pending.requestedAt }
      : null,
    steps: shown.map((s) => ({
      id: s.id,
      action: s.action,
      fromStatus: s.from_status,
      toStatus: s.to_status,
      text: audience === 'township' && COUNTY_INTERNAL.has(s.action) ? '' : s.text,
      days: s.days,
      actorName: s.actor_name,
      actorRole: s.actor_role,
      side: s.side,
      at: s.at.toISOString(),
      attachments: files.rows
        .filter((f) => f.step_id === s.id)
        .map((f) => ({ id: f.id, mime: f.mime, sizeBytes: f.size_bytes, uploadedAt: f.uploaded_at.toISOString(), filename: nameOf(f) })),
    })),
    escalations: audience === 'county' ? ((await escalationsOf(q, [p.id])).get(p.id) ?? []) : [],
  };
}
