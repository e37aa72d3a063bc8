import {
  AppError,
  type FollowUpTaskView,
  type MatterClass,
  type Rating,
  type RatingReason,
  type ReceiptRatingAnswer,
  type ReceiptRatingBody,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Queryable, Tx } from '../db/db.js';
import type { ReceiptLookup } from '../petitions/receipts.js';
import { newId } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { loadPolicy, needRule, type DeadlinePolicy } from './case-policy.js';
import { dueAt, dueStateAt } from './deadline-clock.js';
import { assertNotNamed, namedAsAccused } from './conflicts.js';
import { ratingState } from './satisfaction-rules.js';

type RatingInput = z.output<typeof ReceiptRatingBody>;

/** A 不满意 rating's follow-up (回访复核) is due this long after the rating, by the class's policy row. */
export const followUpDueAt = (p: DeadlinePolicy, matterClass: MatterClass, ratedAt: Date): Date =>
  dueAt(ratedAt, needRule(p, matterClass, 'follow_up'), p.calendar);

interface TaskRow {
  id: string;
  petition_id: string;
  case_code: string;
  township_code: string;
  matter_class: MatterClass;
  rating: Rating;
  reasons: RatingReason[];
  reason_text: string;
  opened_at: Date;
  due_at: Date;
  due_state: FollowUpTaskView['dueState'];
  escalated: 'due_soon' | 'overdue' | null;
  closed_at: Date | null;
  closed_by_name: string | null;
  close_note: string | null;
}

// A matter sealed after its rating leaves the county's board with everything else about it (密封事项).
const TASK_SQL = `SELECT t.id, t.petition_id, p.case_code, p.township_code, p.matter_class, r.rating, r.reasons, r.reason_text,
         t.opened_at, t.due_at, t.due_state, t.escalated, t.closed_at, u.display_name AS closed_by_name, t.close_note
  FROM follow_up_tasks t JOIN petition_ratings r ON r.petition_id = t.petition_id JOIN petitions p ON p.id = t.petition_id AND NOT p.sealed
  LEFT JOIN users u ON u.id = t.closed_by`;

/** An open task's state is counted now, as the deadline board counts cases; a closed one keeps the state it closed in. */
function present(t: TaskRow, policy: DeadlinePolicy, now: Date): FollowUpTaskView {
  const rule = policy.rules.get(`${t.matter_class}.follow_up`);
  const dueState = t.closed_at || !rule ? t.due_state : dueStateAt(now, t.due_at, rule, policy.calendar);
  return {
    id: t.id,
    petitionId: t.petition_id,
    caseCode: t.case_code,
    townshipCode: t.township_code,
    matterClass: t.matter_class,
    rating: t.rating,
    reasons: t.reasons,
    reasonText: t.reason_text,
    openedAt: t.opened_at.toISOString(),
    dueAt: t.due_at.toISOString(),
    dueState,
    closedAt: t.closed_at?.toISOString() ?? null,
    closedBy: t.closed_by_name,
    closeNote: t.close_note,
  };
}

/**
 * Ratings of concluded matters and the follow-up tasks a 不满意 opens. The rating is authorised by the receipt (code
 * and PIN, with the lookup's lock-out); the rating, its task and its audit row commit together. A refusal changes
 * nothing: not the rating, not the task, not even the receipt's failure count.
 */
export class SatisfactionService {
  constructor(
    private readonly db: Db,
    private readonly receipts: ReceiptLookup,
    /** Injected by tests that move the clock. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  async rate(kiosk: Claims, body: RatingInput): Promise<ReceiptRatingAnswer> {
    return this.receipts.authorise(kiosk, body.caseCode, body.pin, async (q, p, audit) => {
      const state = ratingState(p);
      if (state === 'none' && p.sealed) throw new AppError('INVALID_STATE', ERROR_MESSAGES.satisfaction.sealedElsewhere);
      if (state === 'none') throw new AppError('INVALID_STATE', ERROR_MESSAGES.satisfaction.transferred);
      if (state === 'not_yet') throw new AppError('INVALID_STATE', ERROR_MESSAGES.satisfaction.notYet);
      const now = this.now();
      // The primary key decides between two kiosks rating at once: the second finds the row and is refused.
      const ins = await q.query(
        'INSERT INTO petition_ratings (petition_id, rating, reasons, reason_text, rated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (petition_id) DO NOTHING',
        [p.id, body.rating, body.reasons, body.text, now],
      );
      if (!ins.rowCount) throw new AppError('CONFLICT', ERROR_MESSAGES.satisfaction.alreadyRated);
      const details: Record<string, string | boolean> = { rating: body.rating, reasons: body.reasons.join(','), withText: body.text.length > 0 };
      if (body.rating === 'unsatisfied') {
        const taskId = newId();
        const due = followUpDueAt(await loadPolicy(q), p.matter_class, now);
        await q.query('INSERT INTO follow_up_tasks (id, petition_id, opened_at, due_at) VALUES ($1, $2, $3, $4)', [taskId, p.id, now, due]);
        Object.assign(details, { followUpTaskId: taskId, dueAt: due.toISOString() });
      }
      // The reason text is the villager's own words: the case record keeps it, the audit row only says there was one.
      await appendAudit(q, { ...audit, action: 'receipt.rate', details });
      return { rating: body.rating, ratedAt: now.toISOString() };
    });
  }

  /** The follow-up tasks, leaving out those of matters that name the reader (回避). */
  async list(state: 'open' | 'closed', readerId: string): Promise<FollowUpTaskView[]> {
    const r = await this.db.query<TaskRow>(
      `${TASK_SQL} WHERE (t.closed_at IS NULL) = $1 AND NOT ${namedAsAccused(2)} ORDER BY ${state === 'open' ? 't.due_at' : 't.closed_at DESC'} LIMIT 500`,
      [state === 'open', readerId],
    );
    const policy = await loadPolicy(this.db);
    const now = this.now();
    return r.rows.map((t) => present(t, policy, now));
  }

  /** A supervisor closes a task with a note of what the follow-up found; audited in the same transaction. */
  async close(principal: Claims, id: string, note: string): Promise<FollowUpTaskView> {
    // The route allows supervisors only; the service says so too, for any other caller.
    if (principal.role !== 'county_supervisor') throw new AppError('FORBIDDEN', ERROR_MESSAGES.satisfaction.closeOnlySupervisor);
    return this.db.tx(async (q) => {
      const t = (await q.query<TaskRow>(`${TASK_SQL} WHERE t.id = $1 FOR UPDATE OF t`, [id])).rows[0];
      if (!t) throw new AppError('NOT_FOUND', ERROR_MESSAGES.satisfaction.taskNotFound);
      await assertNotNamed(q, principal.sub, t.petition_id);
      if (t.closed_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.satisfaction.taskClosed);
      const now = this.now();
      const policy = await loadPolicy(q);
      const open = present(t, policy, now);
      await q.query('UPDATE follow_up_tasks SET closed_at = $2, closed_by = $3, close_note = $4, due_state = $5 WHERE id = $1', [
        id,
        now,
        principal.sub,
        note,
        open.dueState,
      ]);
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'follow_up.close',
        objectType: 'petition',
        objectId: t.petition_id,
        townshipCode: t.township_code,
        details: { taskId: id, late: now > t.due_at },
      });
      return present((await q.query<TaskRow>(`${TASK_SQL} WHERE t.id = $1`, [id])).rows[0]!, policy, now);
    });
  }
}

/**
 * The deadline sweep's part for follow-up tasks: each open task's state is brought up to date, and each level
 * (due soon, overdue) is raised once, to the county's supervisors, with an audit row. Runs inside the sweep's
 * transaction and lock.
 */
export async function sweepFollowUps(q: Tx, policy: DeadlinePolicy, now: Date): Promise<{ checked: number; changed: number; escalated: number }> {
  const open = await q.query<TaskRow>(`${TASK_SQL} WHERE t.closed_at IS NULL`);
  let changed = 0;
  let escalated = 0;
  for (const t of open.rows) {
    const state = present(t, policy, now).dueState;
    const raise = state !== 'ok' && t.escalated !== 'overdue' && t.escalated !== state;
    if (state === t.due_state && !raise) continue;
    await q.query('UPDATE follow_up_tasks SET due_state = $2, escalated = $3 WHERE id = $1', [t.id, state, raise ? state : t.escalated]);
    if (state !== t.due_state) changed++;
    if (!raise) continue;
    escalated++;
    const notified = await supervisors(q);
    await appendAudit(q, {
      actorId: null,
      actorRole: null,
      action: 'follow_up.escalate',
      objectType: 'petition',
      objectId: t.petition_id,
      townshipCode: t.township_code,
      details: { taskId: t.id, level: state, dueAt: t.due_at.toISOString(), notified },
    });
  }
  return { checked: open.rows.length, changed, escalated };
}

/** A follow-up is the county supervisors' own work, whoever handled the matter. */
async function supervisors(q: Queryable): Promise<number> {
  const r = await q.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE disabled_at IS NULL AND role = 'county_supervisor'`);
  return Number(r.rows[0]?.n ?? 0);
}
