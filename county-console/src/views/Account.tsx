import { useState } from 'react';
import type { MyAccountView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useApi, userMessage, type TokenSource } from '../api';
import { T } from '../strings';

const A = T.account;
const when = (iso: string) => new Date(iso).toLocaleString('zh-CN');

/** "Chrome 156 · Linux" from a user-agent string: enough to tell one's own browsers apart. */
function browserName(ua: string | null): string {
  if (!ua) return A.unknownDevice;
  const b = /(Edg|Firefox|Chrome|Version)\/(\d+)/.exec(ua);
  const name = b ? `${b[1] === 'Edg' ? 'Edge' : b[1] === 'Version' ? 'Safari' : b[1]} ${b[2]}` : A.unknownDevice;
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad/.test(ua)
        ? 'iOS'
        : /Mac OS/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os ? `${name} · ${os}` : name;
}

/** "我的账号": the user's second factor, password age, and their own login sessions, any of which they can end. */
export function Account(props: { token: TokenSource; onEnrol: () => void; onChangePassword: () => void; onEndedCurrent: () => void; onClose: () => void }) {
  const account = useApi<MyAccountView>(props.token, '/api/auth/account');
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();

  const end = async (id: string, current: boolean) => {
    setError(undefined);
    try {
      await apiRequest('POST', `/api/auth/sessions/${id}/end`, { token: props.token() });
      if (current) return props.onEndedCurrent();
      setNotice(A.ended);
      account.reload();
    } catch (err) {
      setError(userMessage(err));
    }
  };

  if (account.error) return <p className="error">{T.loadFailed(account.error)}</p>;
  const a = account.data;
  if (!a) return <p className="empty">{T.loading}</p>;
  return (
    <section className="panel wide account-page" data-testid="account-view">
      <h2>
        {A.title}{' '}
        <button className="link" onClick={props.onClose} data-testid="account-close">
          {A.close}
        </button>
      </h2>
      <h3>{A.factor}</h3>
      <p data-testid="account-factor">
        {a.secondFactor.enrolled ? A.factorOn(when(a.secondFactor.enrolledAt!), a.secondFactor.recoveryCodesLeft) : A.factorOff(a.secondFactor.required)}
      </p>
      {a.secondFactor.enrolled && a.secondFactor.recoveryCodesLeft <= 3 && <p className="hint">{A.factorLow}</p>}
      {!a.secondFactor.enrolled && (
        <button className="primary" onClick={props.onEnrol} data-testid="account-enrol">
          {A.enrol}
        </button>
      )}
      <h3>{A.password}</h3>
      <p>
        {A.passwordChanged(a.password.changedAt ? when(a.password.changedAt) : null)}
        {a.password.expiresAt && `；${A.passwordExpires(when(a.password.expiresAt))}`}
      </p>
      <button className="link" onClick={props.onChangePassword}>
        {T.passwordChange.open}
      </button>
      <h3>{A.sessions}</h3>
      <p className="hint">{A.sessionsHint}</p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="table" data-testid="account-sessions">
        <thead>
          <tr>
            <th>{A.started}</th>
            <th>{A.lastActive}</th>
            <th>{A.device}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {a.sessions.map((s) => (
            <tr key={s.id} data-testid={s.current ? 'session-current' : 'session-other'}>
              <td>{when(s.createdAt)}</td>
              <td>{when(s.lastActiveAt)}</td>
              <td className="agent" title={s.userAgent ?? undefined} translate="no">
                {browserName(s.userAgent)} / {s.address ?? A.unknownDevice}
              </td>
              <td>
                {s.current && <strong>{A.thisOne} </strong>}
                <button className="link" onClick={() => void end(s.id, s.current)} data-testid="session-end">
                  {A.end}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
