import { ratingTotal, satisfiedShare, type RatingCount } from '@vj/shared';
import { TS } from '../satisfaction-strings';

/** Satisfaction ratings per township, with the total: counts and the share satisfied only, never who rated. */
export function RatingStats({ rows, roomName }: { rows: RatingCount[]; roomName: (c: string) => string }) {
  const total = rows.reduce((t, r) => ({ satisfied: t.satisfied + r.satisfied, basic: t.basic + r.basic, unsatisfied: t.unsatisfied + r.unsatisfied }), {
    satisfied: 0,
    basic: 0,
    unsatisfied: 0,
  });
  const line = (r: Omit<RatingCount, 'townshipCode'>) => (
    <>
      <td>{r.satisfied}</td>
      <td>{r.basic}</td>
      <td className={r.unsatisfied ? 'bad' : undefined}>{r.unsatisfied}</td>
      <td>{ratingTotal(r)}</td>
      <td>{TS.share(satisfiedShare(r))}</td>
    </>
  );
  return (
    <div data-testid="rating-stats">
      <h3>{TS.ratingStatsTitle}</h3>
      {rows.length === 0 ? (
        <p className="empty">{TS.ratingStatsEmpty}</p>
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              {TS.ratingColumns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.townshipCode} data-testid={`rating-${r.townshipCode}`}>
                <td>{roomName(r.townshipCode)}</td>
                {line(r)}
              </tr>
            ))}
            <tr>
              <td>
                <strong>{TS.ratingTotal}</strong>
              </td>
              {line(total)}
            </tr>
          </tbody>
        </table>
      )}
    </div>
  );
}
