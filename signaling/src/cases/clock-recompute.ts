import type { Logger } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { loadPolicy } from './case-policy.js';
import { dueStateOf } from './case-service.js';
import { acceptDueAt, noticeAcceptDueAt } from './matter-clocks.js';
import type { CaseRow } from './workflow-view.js';

/** The clock rules new rows are computed under: 1 = per matter class (migration 0020). Rows before it carry 0. */
export const CLOCK_RULES = 1;

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
 * accuser was told), so the feedback screen is not flooded with years of cases nobody can act on.
 */
export async function recomputeClocks(db: Db, log: Logger, now: () => Date = () => new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.tx(async (q) => {
      const policy = await loadPolicy(q);
      const r = await q.query<CaseRow>(`SELECT * FROM petitions WHERE clock_rules < $1 ORDER BY created_at, id LIMIT ${BATCH} FOR UPDATE`, [CLOCK_RULES]);
      for (const p of r.rows) {
        const named = !p.anonymous;
        const next: CaseRow = {
          ...p,
          accept_due_at: acceptDueAt(policy, p.matter_class, p.created_at),
          notice_accept_due_at: p.status === 'received' ? noticeAcceptDueAt(policy, p.matter_class, named, p.created_at) : null,
          notice_result_due_at: null,
        };
        next.due_state = dueStateOf(next, policy, now());
        await q.query(
          `UPDATE petitions SET accept_due_at = $2, notice_accept_due_at = $3, notice_result_due_at = $4, due_state = $5, clock_rules = $6 WHERE id = $1`,
          [p.id, next.accept_due_at, next.notice_accept_due_at, next.notice_result_due_at, next.due_state, CLOCK_RULES],
        );
        await appendAudit(q, {
          actorId: null,
          actorRole: null,
          action: 'case.clocks_recomputed',
          objectType: 'petition',
          objectId: p.id,
          townshipCode: p.township_code,
          details: {
            matterClass: p.matter_class,
            route: p.route,
            acceptDueWas: iso(p.accept_due_at),
            acceptDue: iso(next.accept_due_at),
            noticeAcceptDue: iso(next.notice_accept_due_at),
            noticeResultDue: iso(next.notice_result_due_at),
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
  if (total) log.info('case clocks recomputed under the matter-class rules', { count: total });
  return total;
}
