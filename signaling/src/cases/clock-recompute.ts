import type { Logger } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { loadPolicy } from './case-policy.js';
import { dueStateOf, PROGRESS_OWED } from './case-service.js';
import { acceptDueAt, noticeAcceptDueAt, progressDueAt } from './matter-clocks.js';
import type { CaseRow } from './workflow-view.js';

/**
 * The clock rules new rows are computed under: 1 = per matter class (migration 0020), 2 = a 交办 matter owes
 * progress reports (migration 0024). Rows before them carry 0 or 1; 0024 moved every row at 1 that owes no progress
 * report straight to 2, so what is left at 1 is an open 交办 matter waiting for its first progress date.
 */
export const CLOCK_RULES = 2;

const BATCH = 200;

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Recomputes the clocks of petitions made before matter classes (migration 0020 made them 检举控告) under the rules
 * of their class, each with its audit row in the same transaction, and marks them done. Runs at start, after the
 * keys are loaded: the audit chain's key never reaches the database, so this cannot be part of the SQL migration.
 * Safe to run on several nodes at once (a row another node or a case action holds is waited for, then read again
 * and left if done) and again (done rows are not read); it runs until no row is left, so none stays on the old
 * clock. The handling deadline is left as it stands: an accusation keeps the handling period and extension rules it
 * had, and recomputing it would undo extensions already granted. Notices are owed only for what is decided under
 * these rules: a case decided or concluded before them gets no notice clock (the system never tracked whether its
 * accuser was told), so the feedback screen is not flooded with years of cases nobody can act on. An open 交办 matter
 * gets its first progress date counted from the later of its decision and its last township step (a step is the
 * township reporting what it did); one that has been silent longer than a quarter is overdue at once, as it is.
 */
export async function recomputeClocks(db: Db, log: Logger, now: () => Date = () => new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.tx(async (q) => {
      const policy = await loadPolicy(q);
      const r = await q.query<CaseRow & { last_township_step: Date | null }>(
        `SELECT p.*, (SELECT max(s.at) FROM case_steps s WHERE s.petition_id = p.id AND s.side = 'township') AS last_township_step
         FROM petitions p WHERE p.clock_rules < $1 ORDER BY p.created_at, p.id LIMIT ${BATCH} FOR UPDATE OF p`,
        [CLOCK_RULES],
      );
      for (const { last_township_step: lastStep, ...p } of r.rows) {
        const named = !p.anonymous;
        // Rows already on the class rules (1) keep those clocks: only the progress date is new to them.
        const next: CaseRow =
          p.clock_rules >= 1
            ? { ...p }
            : {
                ...p,
                accept_due_at: acceptDueAt(policy, p.matter_class, p.created_at),
                notice_accept_due_at: p.status === 'received' ? noticeAcceptDueAt(policy, p.matter_class, named, p.created_at) : null,
                notice_result_due_at: null,
              };
        const progressFrom = [p.decided_at, lastStep].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0];
        if (p.route === 'jiaoban' && PROGRESS_OWED.has(p.status) && !p.progress_due_at && progressFrom)
          next.progress_due_at = progressDueAt(policy, p.matter_class, progressFrom);
        next.due_state = dueStateOf(next, policy, now());
        await q.query(
          `UPDATE petitions SET accept_due_at = $2, notice_accept_due_at = $3, notice_result_due_at = $4, due_state = $5, clock_rules = $6, progress_due_at = $7 WHERE id = $1`,
          [p.id, next.accept_due_at, next.notice_accept_due_at, next.notice_result_due_at, next.due_state, CLOCK_RULES, next.progress_due_at],
        );
        await appendAudit(q, {
          actorId: null,
          actorRole: null,
          action: 'case.clocks_recomputed',
          objectType: 'petition',
          objectId: p.id,
          // 密封事项: the row records that the clocks moved, not where the matter came from or what it is.
          townshipCode: p.sealed ? null : p.township_code,
          details: p.sealed
            ? {}
            : {
                matterClass: p.matter_class,
                route: p.route,
                acceptDueWas: iso(p.accept_due_at),
                acceptDue: iso(next.accept_due_at),
                noticeAcceptDue: iso(next.notice_accept_due_at),
                noticeResultDue: iso(next.notice_result_due_at),
                progressDue: iso(next.progress_due_at),
                dueStateWas: p.due_state,
                dueState: next.due_state,
              },
        });
      }
      return r.rows.length;
    });
    total += n;
    if (n === 0) break;
  }
  if (total) log.info('case clocks recomputed under the matter-class and progress rules', { count: total });
  return total;
}
