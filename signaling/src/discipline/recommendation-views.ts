import type {
  OverdueReason,
  RecommendationDetail,
  RecommendationEvent,
  RecommendationKind,
  RecommendationState,
  RecommendationSummary,
  UnitAnswer,
} from '@vj/shared';
import type { Queryable } from '../db/db.js';

/**
 * Reading letters (建议书) for the list, the 督办 board and a letter's page. Every read takes the day it is for ($1,
 * the county's calendar day) and the reader's 片区 ($2, NULL for county-wide roles): a 督查组 sees only letters to
 * units in its own 片区, and another 片区's letter is answered as none at all.
 */

/** The day a letter fell behind: its deadline passed without an accepted report, or its 回头看 date without an outcome. */
const OVERDUE_SINCE = `CASE WHEN l.state IN ('awaiting_report', 'report_received') AND l.deadline < $1::date THEN l.deadline
                           WHEN l.state = 'review_pending' AND l.review_on < $1::date THEN l.review_on END`;
const DAY = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;

/** A letter's summary columns (and `extra` before them), visible to the reader: add conditions with AND. */
export const summarySelect = (
  extra = '',
) => `SELECT ${extra} l.id, l.kind, l.doc_number, l.unit_code, u.name AS unit_name, d.code AS district_code, d.name AS district_name,
    ${DAY('l.issued_on')} AS issued_on, ${DAY('l.deadline')} AS deadline, ${DAY('l.review_on')} AS review_on, l.state, l.round,
    ${DAY(OVERDUE_SINCE)} AS overdue_since, ($1::date - (${OVERDUE_SINCE})) AS overdue_days
  FROM recommendation_letters l JOIN org_units u ON u.code = l.unit_code LEFT JOIN districts d ON d.code = u.district_code
  WHERE ($2::text IS NULL OR u.district_code = $2::text)`;
export const IS_OVERDUE = `(${OVERDUE_SINCE}) IS NOT NULL`;

export interface SummaryRow {
  id: string;
  kind: RecommendationKind;
  doc_number: string;
  unit_code: string;
  unit_name: string;
  district_code: string | null;
  district_name: string | null;
  issued_on: string;
  deadline: string;
  review_on: string | null;
  state: RecommendationState;
  round: number;
  overdue_since: string | null;
  overdue_days: number | null;
}

const REASON: Record<RecommendationState, OverdueReason | null> = {
  awaiting_report: 'no_report',
  report_received: 'not_assessed',
  review_pending: 'review_due',
  closed: null,
};

export function summaryOf(r: SummaryRow): RecommendationSummary {
  const reason = REASON[r.state];
  return {
    id: r.id,
    kind: r.kind,
    docNumber: r.doc_number,
    unit: { code: r.unit_code, name: r.unit_name },
    district: r.district_code ? { code: r.district_code, name: r.district_name ?? r.district_code } : null,
    issuedOn: r.issued_on,
    deadline: r.deadline,
    reviewOn: r.review_on,
    state: r.state,
    round: r.round,
    overdue: reason && r.overdue_since ? { reason, since: r.overdue_since, days: Number(r.overdue_days) } : null,
  };
}

/** One letter with its text, the records it came from and its timeline; undefined when the reader may not see it. */
export async function letterDetail(q: Queryable, id: string, district: string | undefined, today: string): Promise<RecommendationDetail | undefined> {
  const r = await q.query<SummaryRow & { problems: string; requests: string }>(`${summarySelect('l.problems, l.requests,')} AND l.id = $3`, [
    today,
    district ?? null,
    id,
  ]);
  const row = r.rows[0];
  if (!row) return undefined;
  const links = await q.query<{ record_id: string; person_code: string; person_name: string; kind: string; decided_on: string; district_code: string | null }>(
    `SELECT x.record_id, o.code AS person_code, o.name AS person_name, dr.kind, ${DAY('dr.decided_on')} AS decided_on, pu.district_code
       FROM recommendation_letter_records x JOIN discipline_records dr ON dr.id = x.record_id JOIN officials o ON o.code = dr.official_code
       LEFT JOIN org_units pu ON pu.code = o.unit_code
      WHERE x.letter_id = $1 ORDER BY dr.decided_on, x.record_id`,
    [id],
  );
  // A 督查组 reads the people of its own 片区 only, here as in the query: the others are counted.
  const visible = links.rows.filter((l) => !district || l.district_code === district);
  const events = await q.query<{
    type: RecommendationEvent;
    at: Date;
    day: string;
    text: string;
    deadline: string | null;
    review_on: string | null;
    by_name: string | null;
  }>(
    `SELECT e.type, e.at, ${DAY('e.day')} AS day, e.text, ${DAY('e.deadline')} AS deadline, ${DAY('e.review_on')} AS review_on, u.display_name AS by_name
       FROM recommendation_letter_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.letter_id = $1 ORDER BY e.seq`,
    [id],
  );
  return {
    ...summaryOf(row),
    problems: row.problems,
    requests: row.requests,
    links: visible.map((l) => ({ recordId: l.record_id, personCode: l.person_code, personName: l.person_name, kind: l.kind, decidedOn: l.decided_on })),
    hiddenLinks: links.rows.length - visible.length,
    events: events.rows.map((e) => ({
      type: e.type,
      at: e.at.toISOString(),
      day: e.day,
      text: e.text,
      deadline: e.deadline,
      reviewOn: e.review_on,
      byName: e.by_name,
    })),
    asOf: today,
  };
}

/** Units whose name holds the words (or whose code is them), for the form's 受文单位: 20 at most, the shortest names first. */
export async function findUnits(q: Queryable, words: string, district: string | undefined): Promise<UnitAnswer> {
  const r = await q.query<{ code: string; name: string; district_code: string | null; district_name: string | null }>(
    `SELECT u.code, u.name, d.code AS district_code, d.name AS district_name FROM org_units u LEFT JOIN districts d ON d.code = u.district_code
      WHERE (strpos(u.name, $1) > 0 OR u.code = $1) AND ($2::text IS NULL OR u.district_code = $2::text)
      ORDER BY u.code = $1 DESC, length(u.name), u.code LIMIT 20`,
    [words, district ?? null],
  );
  return {
    items: r.rows.map((u) => ({
      code: u.code,
      name: u.name,
      district: u.district_code ? { code: u.district_code, name: u.district_name ?? u.district_code } : null,
    })),
  };
}
