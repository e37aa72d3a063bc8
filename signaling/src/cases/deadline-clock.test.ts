import { describe, expect, it } from 'vitest';
import { WorkCalendar, dayFromIso, dayOf, dueAt, dueStateAt, isoDay } from './deadline-clock.js';

/** A moment in China time, written as it would be read off a wall clock in the county. */
const cst = (local: string) => new Date(`${local}+08:00`);
const dueDay = (d: Date) => isoDay(dayOf(d));

describe('deadline clock', () => {
  const plain = new WorkCalendar();

  it('counts calendar days from the day after the start, and the deadline holds until that day ends', () => {
    const due = dueAt(cst('2026-11-27T16:00:00'), { days: 15, counting: 'calendar' }, plain);
    expect(dueDay(due)).toBe('2026-12-12');
    expect(due.toISOString()).toBe('2026-12-12T15:59:59.999Z'); // 23:59:59.999 in UTC+8
  });

  it('counts working days across a weekend: Friday + 1 working day is Monday, + 5 is the next Friday', () => {
    const friday = cst('2026-11-27T09:00:00');
    expect(dueDay(dueAt(friday, { days: 1, counting: 'working' }, plain))).toBe('2026-11-30');
    expect(dueDay(dueAt(friday, { days: 5, counting: 'working' }, plain))).toBe('2026-12-04');
    expect(dueDay(dueAt(cst('2026-11-28T10:00:00'), { days: 1, counting: 'working' }, plain))).toBe('2026-11-30'); // started on a Saturday
    expect(dueDay(dueAt(friday, { days: 1, counting: 'calendar' }, plain))).toBe('2026-11-28');
  });

  it('skips public holidays and counts the weekend days worked in their place (调休)', () => {
    const cal = new WorkCalendar(
      new Map([
        ['2026-10-01', false],
        ['2026-10-02', false],
        ['2026-10-05', false],
        ['2026-10-06', false],
        ['2026-10-07', false],
        ['2026-10-08', false],
        ['2026-10-10', true], // a Saturday worked
      ]),
    );
    // From Wednesday 30 September, 1–8 October are off (holidays and a weekend); then Friday 9 and Saturday 10 October are worked.
    expect(dueDay(dueAt(cst('2026-09-30T12:00:00'), { days: 2, counting: 'working' }, cal))).toBe('2026-10-10');
    expect(cal.countBetween(dayFromIso('2026-09-30'), dayFromIso('2026-10-12'), 'working')).toBe(3); // 9, 10, 12 Oct
  });

  it('is due soon once no more than the set counted days remain, overdue after the last moment of the due day', () => {
    const rule = { days: 15, counting: 'working' as const, dueSoonDays: 2 };
    const due = dueAt(cst('2026-11-27T09:00:00'), rule, plain); // Friday 18 December
    expect(dueDay(due)).toBe('2026-12-18');
    expect(dueStateAt(cst('2026-12-15T09:00:00'), due, rule, plain)).toBe('ok'); // Tue: 3 working days left
    expect(dueStateAt(cst('2026-12-16T09:00:00'), due, rule, plain)).toBe('due_soon'); // Wed: 2 left
    expect(dueStateAt(cst('2026-12-18T23:59:59'), due, rule, plain)).toBe('due_soon');
    expect(dueStateAt(cst('2026-12-19T00:00:00'), due, rule, plain)).toBe('overdue');
    // Working-day counting: from Friday 11 Dec, the weekend does not count, so 5 working days remain, not 7.
    expect(dueStateAt(cst('2026-12-11T09:00:00'), due, { ...rule, dueSoonDays: 5 }, plain)).toBe('due_soon');
    expect(dueStateAt(cst('2026-12-11T09:00:00'), due, { ...rule, dueSoonDays: 5, counting: 'calendar' }, plain)).toBe('ok');
  });
});
