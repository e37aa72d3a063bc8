import type { RateLimitSpec } from './route.js';

/**
 * Budgets for reading people's records (受处分人员信息查询, 清廉档案), per signed-in user. Every read is audited, but an
 * audit row does not stop a bulk pull: a live probe collected 7,754 people of one 片区 in 12 s. A person at a desk
 * searches a few times a minute; these stop a script long before it has a 片区, and say so in Chinese (429).
 */
export const PEOPLE_SEARCHES: RateLimitSpec = { name: 'people-search', limit: 60, windowMs: 60_000, perUser: true };
/** A person's discipline page and their archive profile share one budget. */
export const PERSON_VIEWS: RateLimitSpec = { name: 'person-view', limit: 120, windowMs: 60_000, perUser: true };
