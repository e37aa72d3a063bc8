import { useEffect, useState } from 'react';
import type { SecurityStatusView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { type TokenSource } from '../api';
import { SecondFactorAdmin } from '../components/SecondFactorAdmin';
import { T } from '../strings';

const S = T.security;

/** The security administrator's page: what protects the data today and what still waits for a key rotation. */
export function Security({ token }: { token: TokenSource }) {
  const [status, setStatus] = useState<SecurityStatusView>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    apiRequest<SecurityStatusView>('GET', '/api/security/status', { token: token() }).then(setStatus, (err: unknown) =>
      setError(err instanceof Error ? err.message : String(err)),
    );
  }, [token]);

  if (error) return <p className="error">{T.loadFailed(error)}</p>;
  if (!status) return <p className="empty">{T.loading}</p>;
  const current = Math.max(0, ...status.dataKeys.map((k) => k.kekVersion));
  const staleKeys = status.dataKeys.filter((k) => k.suite !== status.suite || k.kekVersion !== current).reduce((n, k) => n + k.count, 0);
  const stalePasswords = status.passwords.filter((p) => p.suite !== status.suite).reduce((n, p) => n + p.count, 0);
  return (
    <section className="panel wide" data-testid="security-view">
      <h2>{S.title}</h2>
      <p className="hint">{S.intro}</p>
      <p>
        {S.suite}：<strong data-testid="security-suite">{S.suites[status.suite]}</strong>
      </p>
      <h3>{S.dataKeys}</h3>
      <table className="table">
        <thead>
          <tr>
            <th>{S.kekVersion}</th>
            <th>{S.algorithm}</th>
            <th>{S.count}</th>
          </tr>
        </thead>
        <tbody>
          {status.dataKeys.map((k) => (
            <tr key={`${k.kekVersion}-${k.suite}`}>
              <td>{k.kekVersion}</td>
              <td>{S.suites[k.suite]}</td>
              <td>{k.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {status.dataKeys.length === 0 && <p className="empty">{T.empty}</p>}
      <h3>{S.passwords}</h3>
      <ul>
        {status.passwords.map((p) => (
          <li key={p.suite}>
            {S.passwordSuites[p.suite]}：{p.count}
          </li>
        ))}
      </ul>
      <p data-testid="security-stale">{staleKeys + stalePasswords ? S.stale(staleKeys + stalePasswords) : S.upToDate}</p>
      <h3>{S.checkpoint}</h3>
      <p data-testid="security-checkpoint">
        {status.checkpoint ? S.checkpointAt(status.checkpoint.seq, new Date(status.checkpoint.at).toLocaleString('zh-CN')) : S.noCheckpoint}
      </p>
      {status.forgedCheckpoints > 0 && <p className="error">{S.forged(status.forgedCheckpoints)}</p>}
      <p className={status.integrityAlerts ? 'error' : undefined}>{S.alerts(status.integrityAlerts)}</p>
      <h3>{S.recentTitle}</h3>
      <p data-testid="security-login-failures">{S.loginFailures(status.recent.loginFailures, status.recent.unknownUserFailures)}</p>
      {status.recent.accounts.length > 0 && (
        <>
          <p className="error">{S.accountsTitle}</p>
          <ul data-testid="security-accounts">
            {status.recent.accounts.map((a) => (
              <li key={`${a.name}-${a.role}`}>{S.account(a.name, T.roleNames[a.role] ?? a.role, a.failures, a.heldBack)}</li>
            ))}
          </ul>
        </>
      )}
      <p className={status.recent.refreshReuse ? 'error' : undefined}>{S.refreshReuse(status.recent.refreshReuse)}</p>
      <p className={status.recent.secondFactorFailures ? 'error' : undefined} data-testid="security-factor-failures">
        {S.secondFactorFailures(status.recent.secondFactorFailures)}
      </p>
      <p className={status.recent.integrityFailures ? 'error' : undefined}>{S.integrityFailures(status.recent.integrityFailures)}</p>
      <SecondFactorAdmin token={token} />
    </section>
  );
}
