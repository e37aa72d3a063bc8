import { useEffect, useState, type FormEvent } from 'react';
import type { SecondFactorUsersView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useApi, userMessage, type TokenSource } from '../api';
import { T } from '../strings';

const S = T.security;

/** The security administrator's part of the second factor: the policy, who has enrolled, and resetting a lost one. */
export function SecondFactorAdmin({ token }: { token: TokenSource }) {
  const view = useApi<SecondFactorUsersView>(token, '/api/security/second-factor');
  const [others, setOthers] = useState(false);
  const [maxAge, setMaxAge] = useState('');
  const [resetting, setResetting] = useState<{ id: string; name: string }>();
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const policy = view.data?.policy;
  useEffect(() => {
    if (!policy) return;
    setOthers(policy.othersRequireSecondFactor);
    setMaxAge(policy.passwordMaxAgeDays === null ? '' : String(policy.passwordMaxAgeDays));
  }, [policy]);

  const ageValue = maxAge.trim() === '' ? null : Number(maxAge);
  const ageBad = ageValue !== null && !(Number.isInteger(ageValue) && ageValue >= 30 && ageValue <= 730);
  const act = async (f: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await f();
      setNotice(done);
      view.reload();
    } catch (err) {
      setError(userMessage(err));
    }
  };
  const savePolicy = (e: FormEvent) => {
    e.preventDefault();
    if (ageBad) return;
    void act(
      () => apiRequest('PUT', '/api/security/policy', { token: token(), body: { othersRequireSecondFactor: others, passwordMaxAgeDays: ageValue } }),
      S.policySaved,
    );
  };
  const reset = (e: FormEvent) => {
    e.preventDefault();
    if (!resetting) return;
    const who = resetting;
    void act(() => apiRequest('POST', `/api/security/users/${who.id}/second-factor/reset`, { token: token(), body: { reason } }), S.resetDone(who.name)).then(
      () => {
        setResetting(undefined);
        setReason('');
      },
    );
  };

  if (view.error) return <p className="error">{T.loadFailed(view.error)}</p>;
  if (!view.data) return <p className="empty">{T.loading}</p>;
  return (
    <div data-testid="second-factor-admin">
      <h3>{S.policyTitle}</h3>
      <form onSubmit={savePolicy} className="form-row">
        <label>
          <input type="checkbox" checked={others} onChange={(e) => setOthers(e.target.checked)} data-testid="policy-others" /> {S.othersRequire}
        </label>
        <label>
          {S.passwordMaxAge}
          <input type="number" min={30} max={730} value={maxAge} onChange={(e) => setMaxAge(e.target.value)} data-testid="policy-max-age" />
        </label>
        {ageBad && <p className="error">{S.passwordMaxAgeBad}</p>}
        <button type="submit" className="primary" disabled={ageBad} data-testid="policy-save">
          {S.savePolicy}
        </button>
      </form>
      <h3>{S.factorTitle}</h3>
      <p className="hint">{S.factorIntro}</p>
      {notice && (
        <p className="notice" role="status" data-testid="factor-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {resetting && (
        <form onSubmit={reset} className="form-row" data-testid="factor-reset-form">
          <label>
            {S.resetReason}（{resetting.name}）
            <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} autoFocus data-testid="factor-reset-reason" />
          </label>
          <button type="submit" className="primary" disabled={reason.trim().length < 4} data-testid="factor-reset-confirm">
            {S.resetConfirm}
          </button>
          <button type="button" className="link" onClick={() => setResetting(undefined)}>
            {S.cancel}
          </button>
        </form>
      )}
      <table className="table" data-testid="factor-users">
        <thead>
          <tr>
            <th>{S.user}</th>
            <th>{S.role}</th>
            <th>{S.factorState}</th>
            <th>{S.recoveryLeft}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {view.data.users.map((u) => (
            <tr key={u.id} data-testid={`factor-user-${u.username}`}>
              <td>
                {u.displayName}（<span translate="no">{u.username}</span>）{u.disabled && S.disabled}
              </td>
              <td>{T.roleNames[u.role] ?? u.role}</td>
              <td className={!u.enrolledAt && u.required ? 'error' : undefined}>
                {u.enrolledAt ? S.enrolledAt(new Date(u.enrolledAt).toLocaleDateString('zh-CN')) : S.notEnrolled(u.required)}
              </td>
              <td>{u.enrolledAt ? u.recoveryCodesLeft : '—'}</td>
              <td>
                {u.enrolledAt && (
                  <button className="link" onClick={() => (setResetting({ id: u.id, name: u.displayName }), setReason(''))} data-testid="factor-reset">
                    {S.reset}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
