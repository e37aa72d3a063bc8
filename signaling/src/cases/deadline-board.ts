import type { DeadlineCaseView, DeadlineListAnswer } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { CLOCK_RUNNING_SQL, currentClock } from './case-service.js';
import { namedAsAccused } from './conflicts.js';
import { escalationsOf, type CaseRow } from './workflow-view.js';

/**
 * 督办看板's deadline list: every matter whose running clock is near or past its due time, overdue first, then by
 * due time. CLOCK_RUNNING_SQL leaves out sealed matters and those whose clocks have stopped; 回避 leaves out those
 * that name the reader.
 */
export async function deadlineBoard(db: Queryable, readerId: string): Promise<DeadlineListAnswer> {
  const r = await db.query<CaseRow>(
    `SELECT * FROM petitions p WHERE ${CLOCK_RUNNING_SQL} AND due_state <> 'ok' AND NOT ${namedAsAccused(1)} ORDER BY due_state DESC, updated_at LIMIT 500`,
    [readerId],
  );
  const escalations = await escalationsOf(
    db,
    r.rows.map((p) => p.id),
  );
  const items: DeadlineCaseView[] = [];
  for (const p of r.rows) {
    const c = currentClock(p);
    if (!c) continue;
    items.push({
      id: p.id,
      caseCode: p.case_code,
      townshipCode: p.township_code,
      category: p.category,
      status: p.status,
      side: p.handler_side,
      dueState: p.due_state,
      clock: c.clock,
      dueAt: c.due.toISOString(),
      escalations: escalations.get(p.id) ?? [],
    });
  }
  items.sort((a, b) => (a.dueState === b.dueState ? a.dueAt.localeCompare(b.dueAt) : a.dueState === 'overdue' ? -1 : 1));
  return { items };
}
