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
  const rows = await q.query<PolicyRow>('SELECT kind, days, counting, due_soon_days, max_count FROM case_deadline_policy');
  const exceptions = await q.query<{ day: string; working: boolean }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, working FROM calendar_exceptions`);
  const by = new Map(rows.rows.map((r) => [r.kind, { days: r.days, counting: r.counting, dueSoonDays: r.due_soon_days, maxCount: r.max_count }]));
  const rule = (kind: PolicyRow['kind']) => {
    const r = by.get(kind);
    if (!r) throw new Error(`deadline policy has no '${kind}' row`);
    return r;
  };
  return {
    accept: rule('accept'),
    conclude: rule('conclude'),
    extension: rule('extension'),
    calendar: new WorkCalendar(new Map(exceptions.rows.map((e) => [e.day, e.working]))),
  };
}

export function policyRows(p: DeadlinePolicy): DeadlinePolicyRow[] {
  return (['accept', 'conclude', 'extension'] as const).map((kind) => ({ kind, days: p[kind].days, counting: p[kind].counting, dueSoonDays: p[kind].dueSoonDays, maxCount: p[kind].maxCount }));
}
