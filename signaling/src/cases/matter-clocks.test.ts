import { describe, expect, it } from 'vitest';
import type { MatterClass, PolicyKind } from '@vj/shared';
import type { DeadlinePolicy, PolicyRule } from './case-policy.js';
import { WorkCalendar, dayOf, dueStateAt, isoDay } from './deadline-clock.js';
import { acceptDueAt, concludeDueAt, noticeAcceptDueAt, noticeResultDueAt, progressDueAt, progressShownDue, reviewDueAt } from './matter-clocks.js';

/** A moment in China time, as read off a wall clock in the county. */
const cst = (local: string) => new Date(`${local}+08:00`);
const day = (d: Date | null) => (d ? isoDay(dayOf(d)) : null);

const W = (days: number): PolicyRule => ({ days, counting: 'working', dueSoonDays: 1, maxCount: 1 });
const C = (days: number): PolicyRule => ({ days, counting: 'calendar', dueSoonDays: 3, maxCount: 1 });
/** The defaults migration 0020 writes, written out again here by hand. */
const DEFAULTS: [MatterClass, PolicyKind, PolicyRule][] = [
  ['accusation', 'accept', W(5)],
  ['accusation', 'conclude', C(60)],
  ['accusation', 'extension', C(30)],
  ['accusation', 'notice_accept', W(15)],
  ['accusation', 'notice_result', W(15)],
  ...(['appeal', 'suggestion'] as const).flatMap((c): [MatterClass, PolicyKind, PolicyRule][] => [
    [c, 'accept', C(15)],
    [c, 'conclude', C(60)],
    [c, 'extension', C(30)],
    [c, 'review', C(30)],
    [c, 'recheck', C(30)],
  ]),
  ['other', 'accept', C(15)],
  // Migration 0024: a 交办 matter reports progress at least every quarter, warned 10 days ahead.
  ...(['accusation', 'appeal', 'suggestion'] as const).map((c): [MatterClass, PolicyKind, PolicyRule] => [c, 'progress', { ...C(90), dueSoonDays: 10 }]),
];
const policyOf = (calendar: WorkCalendar, over: [MatterClass, PolicyKind, PolicyRule][] = []): DeadlinePolicy => ({
  rules: new Map([...DEFAULTS, ...over].map(([c, k, r]) => [`${c}.${k}`, r])),
  calendar,
  version: '1',
});

const plain = policyOf(new WorkCalendar());
/** 国庆 2026 as a county would import it: 1–2 and 5–8 October off (3–4 are a weekend), Saturday 10 October worked. */
const national = new WorkCalendar(
  new Map([
    ['2026-10-01', false],
    ['2026-10-02', false],
    ['2026-10-05', false],
    ['2026-10-06', false],
    ['2026-10-07', false],
    ['2026-10-08', false],
    ['2026-10-10', true],
    ['2027-01-01', false], // 元旦, a Friday
  ]),
);
const holidays = policyOf(national);

describe('检举控告: register and accept or hand on within 5 working days of receipt', () => {
  it('inside one week, across a weekend, and from a Saturday', () => {
    expect(day(acceptDueAt(plain, 'accusation', cst('2026-11-02T10:00:00')))).toBe('2026-11-09'); // Mon → next Mon
    expect(day(acceptDueAt(plain, 'accusation', cst('2026-11-05T16:30:00')))).toBe('2026-11-12'); // Thu → Fri, Mon–Thu
    expect(day(acceptDueAt(plain, 'accusation', cst('2026-11-07T11:00:00')))).toBe('2026-11-13'); // Sat → Mon–Fri
  });

  it('skips the holiday and counts the Saturday worked in its place', () => {
    // From Wed 30 Sep: 9 Oct (Fri), 10 (worked Sat), 12, 13, 14.
    expect(day(acceptDueAt(holidays, 'accusation', cst('2026-09-30T09:00:00')))).toBe('2026-10-14');
    // Without the worked Saturday the same receipt would run a day longer.
    const noSwap = policyOf(new WorkCalendar(new Map([...['01', '02', '05', '06', '07', '08'].map((d): [string, boolean] => [`2026-10-${d}`, false])])));
    expect(day(acceptDueAt(noSwap, 'accusation', cst('2026-09-30T09:00:00')))).toBe('2026-10-15');
  });

  it('counts from the day in China: 00:30 on Monday is Monday (in UTC still Sunday, which would make it Friday)', () => {
    expect(day(acceptDueAt(plain, 'accusation', new Date('2026-11-01T16:30:00Z')))).toBe('2026-11-09');
  });
});

describe('检举控告: a named accuser is told within 15 working days of receipt, and given the result within 15 of conclusion', () => {
  it('acceptance notice across the national holiday and its worked Saturday', () => {
    // 9, 10(Sat worked), 12–16, 19–23, 26, 27, 28 October: the 15th working day is 28 October.
    expect(day(noticeAcceptDueAt(holidays, 'accusation', true, cst('2026-09-30T09:00:00')))).toBe('2026-10-28');
    expect(day(noticeAcceptDueAt(plain, 'accusation', true, cst('2026-11-02T10:00:00')))).toBe('2026-11-23'); // three full weeks
  });

  it('result notice across New Year: 1 January off moves it by one working day; a worked Saturday pulls it back', () => {
    const concluded = cst('2026-12-18T16:00:00'); // Friday
    expect(day(noticeResultDueAt(plain, 'accusation', true, concluded))).toBe('2027-01-08');
    expect(day(noticeResultDueAt(holidays, 'accusation', true, concluded))).toBe('2027-01-11');
    const swapped = policyOf(
      new WorkCalendar(
        new Map([
          ['2027-01-01', false],
          ['2027-01-09', true],
        ]),
      ),
    );
    expect(day(noticeResultDueAt(swapped, 'accusation', true, concluded))).toBe('2027-01-09');
  });

  it('anonymous accusations, and the other classes, owe no notice', () => {
    const at = cst('2026-11-02T10:00:00');
    expect(noticeAcceptDueAt(plain, 'accusation', false, at)).toBeNull();
    expect(noticeResultDueAt(plain, 'accusation', false, at)).toBeNull();
    for (const c of ['appeal', 'suggestion', 'other'] as const) {
      expect(noticeAcceptDueAt(plain, c, true, at)).toBeNull();
      expect(noticeResultDueAt(plain, c, true, at)).toBeNull();
    }
  });
});

describe('申诉 and 批评建议 keep the 《信访工作条例》 track, in calendar days', () => {
  it('decide within 15 days, handle within 60 of the decision, whatever the holidays', () => {
    for (const c of ['appeal', 'suggestion'] as const) {
      expect(day(acceptDueAt(plain, c, cst('2026-11-02T10:00:00')))).toBe('2026-11-17');
      expect(day(acceptDueAt(holidays, c, cst('2026-09-30T09:00:00')))).toBe('2026-10-15'); // calendar days: the holiday counts
      expect(day(concludeDueAt(holidays, c, cst('2026-11-10T10:00:00')))).toBe('2027-01-09');
    }
  });

  it('复查 and 复核 within 30 days of the request; an accusation has neither', () => {
    expect(day(reviewDueAt(plain, 'appeal', 'review', cst('2026-12-01T10:00:00')))).toBe('2026-12-31');
    expect(day(reviewDueAt(holidays, 'appeal', 'recheck', cst('2026-12-15T10:00:00')))).toBe('2027-01-14');
    expect(reviewDueAt(plain, 'accusation', 'review', cst('2026-12-01T10:00:00'))).toBeNull();
  });

  it('a number changed in the table is the number used: 15 working days instead of 15 calendar days', () => {
    const edited = policyOf(national, [['appeal', 'accept', W(15)]]);
    expect(day(acceptDueAt(edited, 'appeal', cst('2026-09-30T09:00:00')))).toBe('2026-10-28');
    expect(day(acceptDueAt(edited, 'suggestion', cst('2026-09-30T09:00:00')))).toBe('2026-10-15'); // its own row is untouched
  });
});

describe('其他', () => {
  it('has an acceptance clock (to be told where to go) and no handling clock', () => {
    expect(day(acceptDueAt(plain, 'other', cst('2026-11-02T10:00:00')))).toBe('2026-11-17');
    expect(() => concludeDueAt(plain, 'other', cst('2026-11-02T10:00:00'))).toThrow(/other\.conclude/);
  });
});

describe('交办: the handling body reports progress at least every quarter', () => {
  it('90 calendar days from the 交办 or the last report: weekends and holidays count, and the day is not moved off them', () => {
    // Fri 3 July + 90 days = Thu 1 October, the national holiday itself: a calendar period ends on its day.
    expect(day(progressDueAt(holidays, 'accusation', cst('2026-07-03T15:00:00')))).toBe('2026-10-01');
    expect(day(progressDueAt(plain, 'appeal', cst('2026-07-03T15:00:00')))).toBe('2026-10-01');
    // Reported on a Sunday (00:30 in China, still Saturday in UTC): counted from Sunday.
    expect(day(progressDueAt(plain, 'suggestion', new Date('2026-11-07T16:30:00Z')))).toBe('2027-02-06');
  });

  it('due soon 10 days ahead, overdue the moment its last day ends (China time)', () => {
    const due = progressDueAt(holidays, 'accusation', cst('2026-07-03T15:00:00'))!;
    const rule = { ...C(90), dueSoonDays: 10 };
    expect(dueStateAt(cst('2026-09-20T09:00:00'), due, rule, national)).toBe('ok');
    expect(dueStateAt(cst('2026-09-21T09:00:00'), due, rule, national)).toBe('due_soon');
    expect(dueStateAt(cst('2026-10-01T23:59:59'), due, rule, national)).toBe('due_soon');
    expect(dueStateAt(cst('2026-10-02T00:00:00'), due, rule, national)).toBe('overdue');
  });

  it('set to working days in the table, it skips the holiday and counts the worked Saturday', () => {
    // 60 working days from Wed 30 September: 9, 10 (worked Sat) October, then twelve full weeks to 25 December
    // (57), then 28, 29, 30 December.
    const edited = policyOf(national, [['accusation', 'progress', W(60)]]);
    expect(day(progressDueAt(edited, 'accusation', cst('2026-09-30T09:00:00')))).toBe('2026-12-30');
    const noSwap = policyOf(new WorkCalendar(new Map([...['01', '02', '05', '06', '07', '08'].map((d): [string, boolean] => [`2026-10-${d}`, false])])), [
      ['accusation', 'progress', W(60)],
    ]);
    expect(day(progressDueAt(noSwap, 'accusation', cst('2026-09-30T09:00:00')))).toBe('2026-12-31');
  });

  it('其他 is never 交办: it has no progress row', () => {
    expect(progressDueAt(plain, 'other', cst('2026-11-02T10:00:00'))).toBeNull();
  });
});

describe('交办: the next progress report as the screens show it', () => {
  it('is shown while it falls before the result is due, and not once the result is owed first', () => {
    const conclude = cst('2026-12-31T23:59:59');
    const before = cst('2026-12-15T23:59:59');
    const after = cst('2027-01-14T23:59:59');
    expect(progressShownDue(before, conclude)).toEqual(before);
    expect(progressShownDue(after, conclude)).toBeNull();
    expect(progressShownDue(conclude, conclude)).toBeNull();
    // An extension moves the result's deadline past it: the report is owed again.
    expect(progressShownDue(after, cst('2027-01-30T23:59:59'))).toEqual(after);
    // No result deadline (none set yet): the report's own date stands.
    expect(progressShownDue(after, null)).toEqual(after);
    expect(progressShownDue(null, conclude)).toBeNull();
  });
});
