import type { NoticeDueView } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { loadPolicy, needRule } from './case-policy.js';
import { namedAsAccused } from './conflicts.js';
import { dueStateAt } from './deadline-clock.js';
import type { CaseRow } from './workflow-view.js';

const URGENCY = { overdue: 0, due_soon: 1, ok: 2 } as const;

/**
 * The county's feedback screen: every named accusation whose acceptance notice is not yet given (from its decision
 * on: until then there is nothing to tell), whose result is not yet given once concluded, or whose accuser's
 * response to the result is not yet recorded. Each with its clock's state now, most urgent first. Notice clocks
 * raise no escalation of their own in this slice: this list is where they are chased. Only rows that owe something
 * are read, soonest due first, so the 500 read are the 500 most urgent; responses (no clock) come last. The matters
 * that name the reader are left out (回避).
 */
export async function noticesDue(q: Queryable, now: Date, readerId: string): Promise<NoticeDueView[]> {
  const policy = await loadPolicy(q);
  const r = await q.query<CaseRow>(
    `SELECT * FROM petitions p
     WHERE matter_class = 'accusation' AND NOT anonymous AND NOT sealed AND NOT ${namedAsAccused(1)}
       AND ((notice_accept_at IS NULL AND decided_at IS NOT NULL AND notice_accept_due_at IS NOT NULL)
         OR (status = 'closed' AND notice_result_at IS NULL AND notice_result_due_at IS NOT NULL)
         OR (notice_result_at IS NOT NULL AND accuser_response IS NULL))
     ORDER BY COALESCE(CASE WHEN notice_accept_at IS NULL THEN notice_accept_due_at END, CASE WHEN notice_result_at IS NULL THEN notice_result_due_at END) NULLS LAST,
              created_at DESC
     LIMIT 500`,
    [readerId],
  );
  const items: NoticeDueView[] = [];
  const base = (p: CaseRow) => ({ id: p.id, caseCode: p.case_code, townshipCode: p.township_code, status: p.status });
  for (const p of r.rows) {
    if (!p.notice_accept_at && p.decided_at && p.notice_accept_due_at) {
      const due = p.notice_accept_due_at;
      items.push({
        ...base(p),
        kind: 'accept',
        dueAt: due.toISOString(),
        dueState: dueStateAt(now, due, needRule(policy, p.matter_class, 'notice_accept'), policy.calendar),
      });
    }
    if (p.status === 'closed' && !p.notice_result_at && p.notice_result_due_at) {
      const due = p.notice_result_due_at;
      items.push({
        ...base(p),
        kind: 'result',
        dueAt: due.toISOString(),
        dueState: dueStateAt(now, due, needRule(policy, p.matter_class, 'notice_result'), policy.calendar),
      });
    }
    if (p.notice_result_at && !p.accuser_response) items.push({ ...base(p), kind: 'response', dueAt: null, dueState: 'ok' });
  }
  return items.sort((a, b) => URGENCY[a.dueState] - URGENCY[b.dueState] || (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9'));
}
