import type { DeadlinePolicyRow } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { WorkCalendar, type ClockRule } from './deadline-clock.js';

export interface DeadlinePolicy {
  accept: ClockRule & { maxCount: number };
  conclude: ClockRule & { maxCount: number };
  extension: ClockRule & { maxCount: number };
  calendar: WorkCalendar;
}

interface PolicyRow {
  kind: DeadlinePolicyRow['kind'];
  days: number;
  counting: 'calendar' | 'working';
  due_soon_days: number;
  max_count: number;
}

/** Reads the deadline policy table. Read per use, not cached: a change by the supervisor applies on every node at once. */
export async function loadPolicy(q: Queryable): Promise<DeadlinePolicy> {
  // One round trip: every petition submit reads the policy inside its transaction.
  const r = await q.query<{ rules: PolicyRow[]; exceptions: { day: string; working: boolean }[] | null }>(
    `SELECT (SELECT json_agg(json_build_object('kind', kind, 'days', days, 'counting', counting, 'due_soon_days', due_soon_days, 'max_count', max_count))
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
  };
}

export function policyRows(p: DeadlinePolicy): DeadlinePolicyRow[] {
  return (['accept', 'conclude', 'extension'] as const).map((kind) => ({ kind, days: p[kind].days, counting: p[kind].counting, dueSoonDays: p[kind].dueSoonDays, maxCount: p[kind].maxCount }));
}
