import { ratingTotal, satisfiedShare, type RatingCount } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { csvCell } from '../registry/csv.js';
import { countedInStats } from './stats-scope.js';

/**
 * Ratings counted by the matter's township (not the kiosk it was rated at), in the rooms' order; townships with no
 * rating are left out. Counts only: nothing here says which matter or who rated it. Sealed matters as in stats-scope.ts.
 */
export async function ratingCounts(q: Queryable, rooms: readonly { code: string }[]): Promise<RatingCount[]> {
  const r = await q.query<{ township_code: string; satisfied: string; basic: string; unsatisfied: string }>(
    `SELECT p.township_code,
            count(*) FILTER (WHERE r.rating = 'satisfied') AS satisfied,
            count(*) FILTER (WHERE r.rating = 'basic') AS basic,
            count(*) FILTER (WHERE r.rating = 'unsatisfied') AS unsatisfied
     FROM petition_ratings r JOIN petitions p ON p.id = r.petition_id AND ${countedInStats('p.')} GROUP BY p.township_code`,
  );
  const order = new Map(rooms.map((x, i) => [x.code, i]));
  return r.rows
    .map((x) => ({ townshipCode: x.township_code, satisfied: Number(x.satisfied), basic: Number(x.basic), unsatisfied: Number(x.unsatisfied) }))
    .sort((a, b) => (order.get(a.townshipCode) ?? 1e9) - (order.get(b.townshipCode) ?? 1e9) || a.townshipCode.localeCompare(b.townshipCode));
}

/** The CSV section of the ratings: one line per township with ratings, then the total. */
export function ratingsCsv(rows: readonly RatingCount[], roomName: (code: string) => string): string[] {
  const line = (name: string, code: string, r: Omit<RatingCount, 'townshipCode'>) =>
    [name, code, r.satisfied, r.basic, r.unsatisfied, ratingTotal(r), satisfiedShare(r) ?? ''].map(csvCell).join(',');
  const total = rows.reduce((t, r) => ({ satisfied: t.satisfied + r.satisfied, basic: t.basic + r.basic, unsatisfied: t.unsatisfied + r.unsatisfied }), {
    satisfied: 0,
    basic: 0,
    unsatisfied: 0,
  });
  return [
    ['满意度评价：乡镇', '乡镇代码', '满意', '基本满意', '不满意', '评价总数', '满意率（含基本满意，%）'].join(','),
    ...rows.map((r) => line(roomName(r.townshipCode), r.townshipCode, r)),
    line('合计', '', total),
  ];
}
