import { AppError, ERROR_MESSAGES, type MatterClass } from '@vj/shared';
import { needRule, ruleOf, type DeadlinePolicy } from './case-policy.js';
import { dayFromIso, dayOf, dueAt, endOfDay } from './deadline-clock.js';

/**
 * The clocks of each class of matter, read from the policy table. A clock runs only where the class has a row for
 * it: the notices are 检举控告's alone, 复查 and 复核 are the 《信访工作条例》 track's, and 其他 has no handling period.
 */

/** Register and accept or hand on (检举控告: 5 working days of receipt; the 信访 track: decide within 15 days). */
export const acceptDueAt = (p: DeadlinePolicy, matterClass: MatterClass, receivedAt: Date): Date =>
  dueAt(receivedAt, needRule(p, matterClass, 'accept'), p.calendar);

/** Handle it, from the county's decision (accept or 交办). */
export const concludeDueAt = (p: DeadlinePolicy, matterClass: MatterClass, decidedAt: Date): Date =>
  dueAt(decidedAt, needRule(p, matterClass, 'conclude'), p.calendar);

/**
 * The handling deadline the county sets with a 交办 (a local day, "YYYY-MM-DD"): it holds to the end of that day. It
 * must come after today, and within a year (a longer one would be a typing slip, not a 交办 the county watches).
 */
export function jiaobanDueAt(day: string, now: Date): Date {
  const due = dayFromIso(day);
  const today = dayOf(now);
  if (due <= today) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.jiaobanDueInPast, ['dueDate']);
  if (due > today + 366) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.jiaobanDueTooFar, ['dueDate']);
  return endOfDay(due);
}

/** Tell a named accuser whether it was accepted, counted from receipt. Anonymous matters owe no notice: null. */
export function noticeAcceptDueAt(p: DeadlinePolicy, matterClass: MatterClass, named: boolean, receivedAt: Date): Date | null {
  const rule = ruleOf(p, matterClass, 'notice_accept');
  return named && rule ? dueAt(receivedAt, rule, p.calendar) : null;
}

/** Give a named accuser the result, counted from the conclusion. */
export function noticeResultDueAt(p: DeadlinePolicy, matterClass: MatterClass, named: boolean, concludedAt: Date): Date | null {
  const rule = ruleOf(p, matterClass, 'notice_result');
  return named && rule ? dueAt(concludedAt, rule, p.calendar) : null;
}

/** 复查 or 复核 of a 信访-track matter, counted from the petitioner's request; null where the class has neither. */
export function reviewDueAt(p: DeadlinePolicy, matterClass: MatterClass, kind: 'review' | 'recheck', requestedAt: Date): Date | null {
  const rule = ruleOf(p, matterClass, kind);
  return rule ? dueAt(requestedAt, rule, p.calendar) : null;
}

/**
 * A 交办 matter's next progress report, counted from the 交办, the last progress report or the county's return; null
 * where the class has no progress row (nothing is owed then).
 */
export function progressDueAt(p: DeadlinePolicy, matterClass: MatterClass, from: Date): Date | null {
  const rule = ruleOf(p, matterClass, 'progress');
  return rule ? dueAt(from, rule, p.calendar) : null;
}

/**
 * The next progress report as the screens show it: none when it would fall on or after the result's own deadline,
 * for the result is owed first then (an extension that moves that deadline brings the report back).
 */
export const progressShownDue = (progress: Date | null, conclude: Date | null): Date | null =>
  progress && (!conclude || progress < conclude) ? progress : null;
