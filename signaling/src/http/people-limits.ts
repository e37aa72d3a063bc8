import { ERROR_MESSAGES } from '@vj/shared';
import type { RateLimitSpec } from './route.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** One budget of reads, per signed-in user, over a minute, an hour and a day. */
const perUser = (name: string, perMinute: number, perHour: number, perDay: number): readonly RateLimitSpec[] =>
  (
    [
      ['minute', perMinute, MINUTE],
      ['hour', perHour, HOUR],
      ['day', perDay, DAY],
    ] as const
  ).map(([w, limit, windowMs]) => ({ name: `${name}-${w}`, limit, windowMs, perUser: true, message: ERROR_MESSAGES.http.tooManyQueries }));

/**
 * Budgets for reading people's records (受处分人员信息查询, 清廉档案), per signed-in user. Every read is audited, but an
 * audit row does not stop a bulk pull: a live probe collected 7,754 people of one 片区 in 12 s (300 searches of 100
 * each). A person at a desk searches a few times a minute and a few hundred times a day; a script is held to the
 * same, and told so in Chinese (429). The day's budget, at 100 people a search, still lets a determined insider page
 * through a 片区 in days: what stops that is the audit trail, not this.
 */
export const PEOPLE_SEARCHES = perUser('people-search', 30, 200, 600);
/** A person's discipline page and their archive profile share one budget. */
export const PERSON_VIEWS = perUser('person-view', 60, 400, 1200);
