import type { DeadlinePolicyRow } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { WorkCalendar, type ClockRule } from './deadline-clock.js';

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
    const p = (this.copy ??= loadPolicy(this.db));
    p.catch(() => (this.copy = undefined));
    return p;
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
