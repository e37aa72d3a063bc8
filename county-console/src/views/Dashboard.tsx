import { DISPOSITIONS, dispositionTotals, type CaseStatsView, type DeadlineCaseView, type DispositionCount, type Role } from '@vj/shared';
import { useApi, useDownload, type TokenSource } from '../api';
import { TC } from '../case-strings';
import { chinaDay } from '../format';
import { DueBadge } from '../components/WorkflowPanel';
import { TrendChart, TownshipBars } from '../components/StatsCharts';
import { FollowUpTasks } from '../components/FollowUpTasks';
import { ListView } from '../components/ListView';
import { RatingStats } from '../components/RatingStats';
import { T } from '../strings';

const REFRESH_MS = 30_000;

/** The county's supervision board: deadlines first (what needs chasing today), then the figures. */
export function Dashboard({ token, role, roomName }: { token: TokenSource; role: Role; roomName: (c: string) => string }) {
  const stats = useApi<CaseStatsView>(token, '/api/stats?months=12', REFRESH_MS);
  const deadlines = useApi<{ items: DeadlineCaseView[] }>(token, '/api/cases/deadlines', REFRESH_MS);
  const csv = useDownload(token);
  return (
    <div className="dashboard">
      <section className="panel" data-testid="deadlines">
        <h2>{TC.deadlinesTitle}</h2>
        <ListView
          rows={deadlines.data?.items}
          error={deadlines.error}
          empty={TC.deadlinesEmpty}
          row={(d) => (
            <tr key={d.id} data-testid={`deadline-${d.caseCode}`}>
              <td>
                <DueBadge state={d.dueState} />
              </td>
              <td>{d.caseCode}</td>
              <td>{roomName(d.townshipCode)}</td>
              <td>{T.status[d.status]}</td>
              <td>
                {d.clock === 'progress' && d.dueState === 'overdue' ? TC.progressLate : TC.clocks[d.clock]} {chinaDay(d.dueAt)}
              </td>
              <td className="hint">
                {d.escalations.length === 0
                  ? TC.notNotified
                  : d.escalations.map((e) => (
                      <div key={`${e.level}-${e.dueAt}`}>
                        {TC.notified(e.notified.map((n) => n.name).join('、') || '—', new Date(e.notifiedAt).toLocaleString('zh-CN'))}
                      </div>
                    ))}
              </td>
            </tr>
          )}
        />
      </section>
      <FollowUpTasks token={token} role={role} roomName={roomName} />
      <section className="panel" data-testid="stats">
        <h2>
          {TC.statsTitle}
          <button className="link" onClick={() => csv.download('/api/stats/export?months=12', T.fileFallback.stats)} data-testid="export-csv">
            {TC.exportCsv}
          </button>
        </h2>
        {csv.error && <p className="error">{csv.error}</p>}
        {stats.error && <p className="error">{T.loadFailed(stats.error)}</p>}
        {stats.data && (
          <>
            <p className="totals">
              {TC.received} <strong>{stats.data.totals.received}</strong> · {TC.inHandling} <strong>{stats.data.totals.inHandling}</strong> · {TC.overdue}{' '}
              <strong className="bad">{stats.data.totals.overdue}</strong> · {TC.closed} <strong>{stats.data.totals.closed}</strong> · {TC.avgDays}{' '}
              <strong>{stats.data.totals.avgHandlingDays ?? '—'}</strong>
            </p>
            <TownshipBars stats={stats.data} roomName={roomName} />
            <h3>{TC.trendTitle}</h3>
            <TrendChart months={stats.data.months} />
            <table className="table compact" data-testid="stats-table">
              <thead>
                <tr>
                  <th>{T.filterTownship}</th>
                  <th>{TC.received}</th>
                  <th>{TC.inHandling}</th>
                  <th>{TC.overdue}</th>
                  <th>{TC.closed}</th>
                  <th>{TC.avgDays}</th>
                </tr>
              </thead>
              <tbody>
                {stats.data.townships.map((t) => (
                  <tr key={t.townshipCode}>
                    <td>{roomName(t.townshipCode)}</td>
                    <td>{t.received}</td>
                    <td>{t.inHandling}</td>
                    <td className={t.overdue ? 'bad' : undefined}>{t.overdue}</td>
                    <td>{t.closed}</td>
                    <td>{t.avgHandlingDays ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <DispositionStats rows={stats.data.dispositions} roomName={roomName} />
            <RatingStats rows={stats.data.ratings} roomName={roomName} />
          </>
        )}
      </section>
    </div>
  );
}

/** 问题线索处置: counts by disposition and outcome, and by township; counts only. */
function DispositionStats({ rows, roomName }: { rows: DispositionCount[]; roomName: (c: string) => string }) {
  const townships = [...new Set(rows.map((r) => r.townshipCode))];
  const count = (t: string, d: string) => rows.filter((r) => r.townshipCode === t && r.disposition === d).reduce((n, r) => n + r.count, 0);
  return (
    <div data-testid="disposition-stats">
      <h3>{TC.dispositionStatsTitle}</h3>
      {rows.length === 0 ? (
        <p className="empty">{TC.dispositionStatsEmpty}</p>
      ) : (
        <div className="disposition-stats">
          <table className="table compact" data-testid="disposition-totals">
            <thead>
              <tr>
                <th>{TC.dispositionChoose}</th>
                <th>{TC.dispositionStatsOutcome}</th>
                <th>{TC.dispositionStatsCount}</th>
              </tr>
            </thead>
            <tbody>
              {dispositionTotals(rows).map((t) => (
                <tr key={`${t.disposition}-${t.outcome}`}>
                  <td>{TC.dispositions[t.disposition]}</td>
                  <td>{TC.dispositionOutcome(t.outcome)}</td>
                  <td>{t.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="table compact" data-testid="disposition-townships">
            <thead>
              <tr>
                <th>{T.filterTownship}</th>
                {DISPOSITIONS.map((d) => (
                  <th key={d}>{TC.dispositions[d]}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {townships.map((t) => (
                <tr key={t}>
                  <td>{roomName(t)}</td>
                  {DISPOSITIONS.map((d) => (
                    <td key={d}>{count(t, d)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
