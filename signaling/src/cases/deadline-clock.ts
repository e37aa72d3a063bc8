import type { DueState } from '@vj/shared';

/** Deadlines are counted in China Standard Time (UTC+8, no daylight saving): a day ends at local midnight. */
const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

export interface ClockRule {
  days: number;
  counting: 'calendar' | 'working';
  dueSoonDays: number;
}

/** A local date as a day number (days since 1970-01-01 in UTC+8). */
export const dayOf = (t: Date): number => Math.floor((t.getTime() + OFFSET_MS) / DAY_MS);
export const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const dayFromIso = (iso: string): number => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
/** The last millisecond of a local day: a deadline "within N days" holds until the end of day N. */
export const endOfDay = (day: number): Date => new Date((day + 1) * DAY_MS - OFFSET_MS - 1);

/** Weekends off, plus public holidays and the weekend days worked in their place (调休). */
export class WorkCalendar {
  constructor(private readonly exceptions: ReadonlyMap<string, boolean> = new Map()) {}

  isWorking(day: number): boolean {
    const exception = this.exceptions.get(isoDay(day));
    if (exception !== undefined) return exception;
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 is Sunday
    return weekday !== 0 && weekday !== 6;
  }

  /** Counted days after `from` up to and including `to` (0 when `to` is not after `from`). */
  countBetween(from: number, to: number, counting: ClockRule['counting']): number {
    if (to <= from) return 0;
    if (counting === 'calendar') return to - from;
    let n = 0;
    for (let d = from + 1; d <= to; d++) if (this.isWorking(d)) n++;
    return n;
  }

  /** The day `days` counted days after `from`. The starting day itself never counts. */
  addDays(from: number, days: number, counting: ClockRule['counting']): number {
    if (counting === 'calendar') return from + days;
    let d = from;
    for (let n = 0; n < days;) if (this.isWorking(++d)) n++;
    return d;
  }
}

/** When a clock started at `start` runs out. */
export function dueAt(start: Date, rule: Pick<ClockRule, 'days' | 'counting'>, calendar: WorkCalendar): Date {
  return endOfDay(calendar.addDays(dayOf(start), rule.days, rule.counting));
}

/** Due soon once no more than `dueSoonDays` counted days remain; overdue once the due moment has passed. */
export function dueStateAt(now: Date, due: Date, rule: ClockRule, calendar: WorkCalendar): DueState {
  if (now.getTime() > due.getTime()) return 'overdue';
  return calendar.countBetween(dayOf(now), dayOf(due), rule.counting) <= rule.dueSoonDays ? 'due_soon' : 'ok';
}
