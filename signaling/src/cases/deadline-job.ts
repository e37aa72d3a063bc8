import { errorFields, type CaseClock, type Logger } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import { newId } from '../security/crypto.js';
import type { Db, Tx } from '../db/db.js';
import { loadPolicy } from './case-policy.js';
import { accusedIsUser } from './conflicts.js';
import { CLOCK_RUNNING_SQL, currentClock, dueStateOf } from './case-service.js';
import type { CaseRow } from './workflow-view.js';
import { sweepFollowUps } from './satisfaction-service.js';

/** Arbitrary constant: one deadline sweep at a time across all nodes sharing the database. */
const SWEEP_LOCK = 0x76_6a_64_6c; // 'vjdl'

export interface SweepResult {
  /** False when another node held the sweep; nothing was done here. */
  ran: boolean;
  checked: number;
  changed: number;
  escalated: number;
}

export interface OverdueCase {
  id: string;
  caseCode: string;
  townshipCode: string;
}

interface Notified {
  userId: string;
  name: string;
  role: string;
}

/**
 * The scheduled deadline check. Every node may run it; an advisory lock lets one sweep at a time, and the
 * escalation's unique key means a deadline is escalated once even if two sweeps ever overlap. An escalation
 * records whom it notified and when; the dashboard shows it.
 */
export class DeadlineJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;
  /** The publish in flight: the next one reads only after it has published (see publishOverdue). */
  private publishing: Promise<void> = Promise.resolve();
  /** Set by the server: asks every other signaling node to publish again too (the node bus). */
  shareRefresh: () => void = () => {};

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Told after every tick, on every node, which open cases are overdue now: the county's alert bar. */
    private readonly onOverdue: (cases: OverdueCase[]) => void = () => {},
  ) {}

  start(intervalMs: number): void {
    const tick = () => {
      this.running ??= this.sweep()
        .then(async (r) => (await this.publishOverdue(), r))
        .catch((err) => {
          this.log.warn('deadline sweep failed', errorFields(err));
          return { ran: false, checked: 0, changed: 0, escalated: 0 };
        })
        .finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async sweep(at?: Date): Promise<SweepResult> {
    const now = at ?? this.now();
    const result = await this.db.tx(async (q) => {
      const locked = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [SWEEP_LOCK]);
      if (!locked.rows[0]?.ok) return { ran: false, checked: 0, changed: 0, escalated: 0 };
      const policy = await loadPolicy(q);
      const open = await q.query<CaseRow>(`SELECT * FROM petitions WHERE ${CLOCK_RUNNING_SQL}`);
      let changed = 0;
      const toEscalate: { p: CaseRow; clock: CaseClock; level: 'due_soon' | 'overdue'; due: Date }[] = [];
      for (const p of open.rows) {
        const state = dueStateOf(p, policy, now);
        if (state !== p.due_state) {
          await q.query('UPDATE petitions SET due_state = $2 WHERE id = $1', [p.id, state]);
          changed++;
        }
        const c = currentClock(p);
        if (c && state !== 'ok') toEscalate.push({ p, clock: c.clock, level: state, due: c.due });
      }
      let escalated = 0;
      for (const e of toEscalate) {
        // A 复查 or 复核 is the county's own work, whoever handled the matter.
        const notified = await this.recipients(q, e.p, e.level, e.clock === 'review' || e.clock === 'recheck' ? 'county' : e.p.handler_side);
        const r = await q.query(
          `INSERT INTO case_escalations (id, petition_id, clock, level, due_at, notified, notified_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (petition_id, clock, level, due_at) DO NOTHING`,
          [newId(), e.p.id, e.clock, e.level, e.due, JSON.stringify(notified), now],
        );
        if (!r.rowCount) continue;
        escalated++;
        await appendAudit(q, {
          actorId: null,
          actorRole: null,
          action: 'case.escalate',
          objectType: 'petition',
          objectId: e.p.id,
          townshipCode: e.p.township_code,
          details: { clock: e.clock, level: e.level, dueAt: e.due.toISOString(), notified: notified.length },
        });
      }
      // Follow-up tasks of 不满意 ratings run their own clocks, raised the same way.
      const f = await sweepFollowUps(q, policy, now);
      return { ran: true, checked: open.rows.length + f.checked, changed: changed + f.changed, escalated: escalated + f.escalated };
    });
    if (result.escalated) this.log.info('deadline escalations', { escalated: result.escalated, checked: result.checked });
    return result;
  }

  /**
   * Every node reads the result, whichever node swept: each node's consoles get the same alert bar. One at a time
   * per node, in the order asked: a list read before a matter was sealed (or closed) could otherwise be published
   * after the list read since, and keep the matter on the alert bar until the next sweep.
   */
  publishOverdue(): Promise<void> {
    const next = this.publishing.then(
      () => this.readAndPublish(),
      () => this.readAndPublish(),
    );
    this.publishing = next;
    return next;
  }

  /**
   * After a change that takes a matter off the overdue alerts or puts it back (a seal, an unseal, a case action):
   * this node publishes again now, and so does every other node, each after what it was already publishing.
   */
  refreshEverywhere(): Promise<void> {
    this.shareRefresh();
    return this.publishOverdue();
  }

  private async readAndPublish(): Promise<void> {
    const r = await this.db.query<OverdueCase>(
      `SELECT id, case_code AS "caseCode", township_code AS "townshipCode" FROM petitions WHERE ${CLOCK_RUNNING_SQL} AND due_state = 'overdue' ORDER BY updated_at LIMIT 200`,
    );
    this.onOverdue(r.rows);
  }

  /**
   * Overdue: the county's supervisors, and the township's handlers when the case is theirs. Due soon: whoever
   * handles it. Never a person the petition names.
   */
  private async recipients(q: Tx, p: CaseRow, level: 'due_soon' | 'overdue', side: CaseRow['handler_side']): Promise<Notified[]> {
    const r = await q.query<{ id: string; display_name: string; role: string }>(
      `SELECT id, display_name, role FROM users WHERE disabled_at IS NULL AND (
         ($2 = 'overdue' AND role = 'county_supervisor')
         OR ($3 = 'township' AND role = 'township_handler' AND township_code = $1 AND ($4::uuid IS NULL OR id = $4))
         OR ($3 IS DISTINCT FROM 'township' AND $2 = 'due_soon' AND role IN ('county_officer', 'county_supervisor')))
       AND NOT EXISTS (SELECT 1 FROM petition_accused a WHERE a.petition_id = $5 AND ${accusedIsUser('a', 'users', true)})
       ORDER BY role, display_name`,
      [p.township_code, level, side, p.assigned_handler, p.id],
    );
    return r.rows.map((u) => ({ userId: u.id, name: u.display_name, role: u.role }));
  }
}
