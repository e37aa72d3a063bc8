/**
 * SQL: the matters the statistics count (issue 16, review finding 5), `p` being the petitions alias ('' for none).
 *
 * The rule: a published figure never moves because a matter was sealed. A matter sealed at intake (sealed_by is
 * NULL: no one sealed it after filing) was never counted and never is, so filing it moves nothing. A matter sealed
 * later stays counted exactly as it stood at the seal: its township, class, months, status, clock state, disposition
 * and rating all freeze then, because nothing acts on a sealed matter but sending it up (which changes none of them),
 * the deadline sweep passes it by, and it can no longer be rated. Dropping it instead would take one off its township
 * and month in the next CSV, telling any reader of the published figures that a matter there was sealed.
 *
 * What this costs: the county's figures still include a matter no list shows (one "in handling" that never closes).
 * Only county staff read both, and they saw it leave their lists at the seal, so the figures tell them nothing new.
 * Unsealing a matter sealed later moves nothing either; unsealing one sealed at intake adds it, as it becomes an
 * ordinary matter again. (The one-off clock recomputation of an upgrade does recompute a sealed matter's clock
 * state, with everyone else's.)
 */
export const countedInStats = (p = '') => `NOT (${p}sealed AND ${p}sealed_by IS NULL)`;
