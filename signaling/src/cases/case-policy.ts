import type { DeadlinePolicyBody, DeadlinePolicyRow } from '@vj/shared';
import type { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Queryable } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { WorkCalendar, dueAt, type ClockRule } from './deadline-clock.js';

export interface DeadlinePolicy {
  accept: ClockRule & { maxCount: number };
  conclude: ClockRule & { maxCount: number };
  extension: ClockRule & { maxCount: number };
  calendar: WorkCalendar;
  /** case_policy_version when this copy was read (migration 0018): any change to the rules or calendar moves it. */
  version: string;
}

interface PolicyRow {
  kind: DeadlinePolicyRow['kind'];
  days: number;
  counting: 'calendar' | 'working';
  due_soon_days: number;
  max_count: number;
}

/**
 * Reads the deadline policy table. Read per use: a change by the supervisor applies on every node at once. (Intake's
 * kept copy, PolicyCopy, is checked against the version inside the statement that uses it, so the same holds.)
 */
export async function loadPolicy(q: Queryable): Promise<DeadlinePolicy> {
  // One round trip: every petition submit reads the policy inside its transaction.
  const r = await q.query<{ rules: PolicyRow[]; exceptions: { day: string; working: boolean }[] | null; version: string }>(
    `SELECT ${POLICY_VERSION_SQL} AS version,
            (SELECT json_agg(json_build_object('kind', kind, 'days', days, 'counting', counting, 'due_soon_days', due_soon_days, 'max_count', max_count))
               FROM case_deadline_policy) AS rules,
            (SELECT json_agg(json_build_object('day', to_char(day, 'YYYY-MM-DD'), 'working', working)) FROM calendar_exceptions) AS exceptions`,
  );
  const exceptions = r.rows[0]?.exceptions ?? [];
  const by = new Map((r.rows[0]?.rules ?? []).map((r) => [r.kind, { days: r.days, counting: r.counting, dueSoonDays: r.due_soon_days, maxCount: r.max_count }]));
  const rule = (kind: PolicyRow['kind']) => {
    const r = by.get(kind);
    if (!r) throw new Error(`deadline policy has no '${kind}' row`);
    return r;
  };
  return {
    accept: rule('accept'),
    conclude: rule('conclude'),
    extension: rule('extension'),
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

export function policyRows(p: DeadlinePolicy): DeadlinePolicyRow[] {
  return (['accept', 'conclude', 'extension'] as const).map((kind) => ({ kind, days: p[kind].days, counting: p[kind].counting, dueSoonDays: p[kind].dueSoonDays, maxCount: p[kind].maxCount }));
}

/** When a petition received at `receivedAt` must be registered and accepted or handed on (its first clock). */
export const acceptDueAt = (policy: DeadlinePolicy, receivedAt: Date): Date => dueAt(receivedAt, policy.accept, policy.calendar);

/** The policy page: the rules, and the calendar's exceptions with their notes. */
export async function policyView(db: Queryable) {
  const p = await loadPolicy(db);
  const ex = await db.query<{ day: string; working: boolean; note: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, working, note FROM calendar_exceptions ORDER BY day`);
  return { rows: policyRows(p), exceptions: ex.rows };
}

/** Replaces the rules (and the calendar, when given) and audits it, in one transaction; answers the rules now in force. */
export async function savePolicy(db: Db, principal: Claims, body: z.output<typeof DeadlinePolicyBody>) {
  await db.tx(async (q) => {
    for (const r of body.rows) {
      await q.query('UPDATE case_deadline_policy SET days = $2, counting = $3, due_soon_days = $4, max_count = $5, updated_by = $6, updated_at = now() WHERE kind = $1', [
        r.kind,
        r.days,
        r.counting,
        r.dueSoonDays,
        r.maxCount,
        principal.sub,
      ]);
    }
    if (body.exceptions) {
      await q.query('DELETE FROM calendar_exceptions');
      for (const e of body.exceptions) await q.query('INSERT INTO calendar_exceptions (day, working, note) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET working = excluded.working', [e.day, e.working, e.note]);
    }
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'case.policy',
      objectType: 'case_policy',
      details: { ...Object.fromEntries(body.rows.map((r) => [r.kind, `${r.days}${r.counting === 'working' ? 'w' : 'c'}`])), exceptions: body.exceptions?.length ?? null },
    });
  });
  return { rows: policyRows(await loadPolicy(db)) };
}
