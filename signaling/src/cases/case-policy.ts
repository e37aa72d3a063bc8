import {
  AppError,
  MATTER_CLASSES,
  POLICY_KINDS,
  type DeadlinePolicyBody,
  type DeadlinePolicyRow,
  type DeadlinePolicyRowView,
  type MatterClass,
  type PolicyKind,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Queryable } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { WorkCalendar, type ClockRule } from './deadline-clock.js';

export type PolicyRule = ClockRule & { maxCount: number };

export interface DeadlinePolicy {
  /** One rule per (class, clock) the table holds; a clock a class does not have is absent. */
  rules: ReadonlyMap<string, PolicyRule>;
  calendar: WorkCalendar;
  /** case_policy_version when this copy was read (migration 0018): any change to the rules or calendar moves it. */
  version: string;
}

interface PolicyRow {
  matter_class: MatterClass;
  kind: PolicyKind;
  days: number;
  counting: 'calendar' | 'working';
  due_soon_days: number;
  max_count: number;
}

const keyOf = (matterClass: MatterClass, kind: PolicyKind) => `${matterClass}.${kind}`;

/** The rule of one clock for one class, or undefined where the class has no such clock (其他 has no handling period). */
export const ruleOf = (p: DeadlinePolicy, matterClass: MatterClass, kind: PolicyKind): PolicyRule | undefined => p.rules.get(keyOf(matterClass, kind));

/** The rule of a clock the class must have: a missing row is a broken table, not a choice. */
export function needRule(p: DeadlinePolicy, matterClass: MatterClass, kind: PolicyKind): PolicyRule {
  const r = ruleOf(p, matterClass, kind);
  if (!r) throw new Error(`deadline policy has no '${matterClass}.${kind}' row`);
  return r;
}

/** For the one error a policy edit can answer with: the row named as the policy page names it. */
const MATTER_CLASS_LABELS: Record<string, string> = { accusation: '检举控告', appeal: '申诉', suggestion: '批评建议', other: '其他' };
const CLOCK_LABELS: Record<string, string> = {
  accept: '受理',
  conclude: '办结',
  extension: '延期',
  notice_accept: '受理告知',
  notice_result: '结果反馈',
  review: '复查',
  recheck: '复核',
  progress: '进展报告',
  follow_up: '回访复核',
};

/**
 * Reads the deadline policy table. Read per use: a change by the supervisor applies on every node at once. (Intake's
 * kept copy, PolicyCopy, is checked against the version inside the statement that uses it, so the same holds.)
 */
export async function loadPolicy(q: Queryable): Promise<DeadlinePolicy> {
  // One round trip: every petition submit reads the policy inside its transaction.
  const r = await q.query<{ rules: PolicyRow[]; exceptions: { day: string; working: boolean }[] | null; version: string }>(
    `SELECT ${POLICY_VERSION_SQL} AS version,
            (SELECT json_agg(json_build_object('matter_class', matter_class, 'kind', kind, 'days', days, 'counting', counting, 'due_soon_days', due_soon_days, 'max_count', max_count))
               FROM case_deadline_policy) AS rules,
            (SELECT json_agg(json_build_object('day', to_char(day, 'YYYY-MM-DD'), 'working', working)) FROM calendar_exceptions) AS exceptions`,
  );
  const exceptions = r.rows[0]?.exceptions ?? [];
  const rules = new Map(
    (r.rows[0]?.rules ?? []).map((x) => [
      keyOf(x.matter_class, x.kind),
      { days: x.days, counting: x.counting, dueSoonDays: x.due_soon_days, maxCount: x.max_count },
    ]),
  );
  return {
    rules,
    calendar: new WorkCalendar(new Map(exceptions.map((e) => [e.day, e.working]))),
    version: String(r.rows[0]?.version ?? ''),
  };
}

/**
 * The policy as last read by this process, for writes that can check it is still current in the same statement
 * (`policyStillSql`) and read again when it is not. Anything else reads the table (loadPolicy).
 */
export class PolicyCopy {
  private copy: Promise<DeadlinePolicy> | undefined;

  constructor(private readonly db: Queryable) {}

  get(): Promise<DeadlinePolicy> {
    if (!this.copy) {
      const p = loadPolicy(this.db);
      // A failed read is not kept: the next get() tries again.
      p.catch(() => this.copy === p && (this.copy = undefined));
      this.copy = p;
    }
    return this.copy;
  }

  /** The copy is stale: the next get() reads the table. */
  forget(): void {
    this.copy = undefined;
  }
}

/** SQL for the current policy number, to tell a stale copy from a write that found nothing to do. */
export const POLICY_VERSION_SQL = '(SELECT version FROM case_policy_version WHERE id = 1)';
/** SQL true while the policy is still the one numbered `versionParam`. */
export const policyStillSql = (versionParam: string): string => `${POLICY_VERSION_SQL} = ${versionParam}::bigint`;

/** Every row, classes in their order and clocks in theirs: what the page lists and the save answers. */
export function policyRows(p: DeadlinePolicy): DeadlinePolicyRow[] {
  return MATTER_CLASSES.flatMap((matterClass) =>
    POLICY_KINDS.flatMap((kind) => {
      const r = ruleOf(p, matterClass, kind);
      return r ? [{ matterClass, kind, days: r.days, counting: r.counting, dueSoonDays: r.dueSoonDays, maxCount: r.maxCount }] : [];
    }),
  );
}

/** The policy page: the rules with the rule text each default comes from, and the calendar's exceptions with their notes. */
export async function policyView(db: Queryable): Promise<{ rows: DeadlinePolicyRowView[]; exceptions: { day: string; working: boolean; note: string }[] }> {
  const p = await loadPolicy(db);
  const src = await db.query<{ matter_class: MatterClass; kind: PolicyKind; source: string; default_days: number; default_counting: 'calendar' | 'working' }>(
    'SELECT matter_class, kind, source, default_days, default_counting FROM case_deadline_policy',
  );
  const by = new Map(src.rows.map((r) => [keyOf(r.matter_class, r.kind), r]));
  const ex = await db.query<{ day: string; working: boolean; note: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, working, note FROM calendar_exceptions ORDER BY day`,
  );
  return {
    rows: policyRows(p).map((r) => {
      const s = by.get(keyOf(r.matterClass, r.kind))!;
      return { ...r, source: s.source, defaultDays: s.default_days, defaultCounting: s.default_counting };
    }),
    exceptions: ex.rows,
  };
}

/** Replaces the rules (and the calendar, when given) and audits it, in one transaction; answers the rules now in force. */
export async function savePolicy(db: Db, principal: Claims, body: z.output<typeof DeadlinePolicyBody>) {
  await db.tx(async (q) => {
    for (const r of body.rows) {
      const u = await q.query(
        'UPDATE case_deadline_policy SET days = $3, counting = $4, due_soon_days = $5, max_count = $6, updated_by = $7, updated_at = now() WHERE matter_class = $1 AND kind = $2',
        [r.matterClass, r.kind, r.days, r.counting, r.dueSoonDays, r.maxCount, principal.sub],
      );
      // Rows are the table's, not the client's to add: an unknown one rolls back everything sent with it.
      if (!u.rowCount)
        throw new AppError(
          'BAD_REQUEST',
          ERROR_MESSAGES.cases.noSuchClockRule(MATTER_CLASS_LABELS[r.matterClass] ?? r.matterClass, CLOCK_LABELS[r.kind] ?? r.kind),
          ['rows'],
        );
    }
    if (body.exceptions) {
      await q.query('DELETE FROM calendar_exceptions');
      for (const e of body.exceptions)
        await q.query('INSERT INTO calendar_exceptions (day, working, note) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET working = excluded.working', [
          e.day,
          e.working,
          e.note,
        ]);
    }
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'case.policy',
      objectType: 'case_policy',
      details: {
        ...Object.fromEntries(body.rows.map((r) => [keyOf(r.matterClass, r.kind), `${r.days}${r.counting === 'working' ? 'w' : 'c'}`])),
        exceptions: body.exceptions?.length ?? null,
      },
    });
  });
  return { rows: policyRows(await loadPolicy(db)) };
}
