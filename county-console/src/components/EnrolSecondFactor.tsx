import { useState, type FormEvent } from 'react';
import type { RecoveryCodesView, TotpEnrolment } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { userMessage, type TokenSource } from '../api';
import { T } from '../strings';

const F = T.secondFactor;

/**
 * Enrolling a second factor: forced when the role requires one, or chosen from "我的账号". The QR code and the
 * secret are shown once; the recovery codes once, after the first right code, and the user says they kept them.
 */
export function EnrolSecondFactor(props: { token: TokenSource; forced: boolean; onDone: () => void; onCancel: () => void }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment>();
  const [codes, setCodes] = useState<string[]>();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setEnrolment(await apiRequest<TotpEnrolment>('POST', '/api/auth/second-factor/begin', { token: props.token(), body: { password } }));
      setPassword('');
    } catch (err) {
      setError(userMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    if (!code.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      setCodes((await apiRequest<RecoveryCodesView>('POST', '/api/auth/second-factor/confirm', { token: props.token(), body: { code } })).recoveryCodes);
    } catch (err) {
      setError(userMessage(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  if (codes) {
    return (
      <main className="login">
        <section className="login-card wide-card" aria-labelledby="codes-title" data-testid="recovery-codes">
          <h1 id="codes-title">{F.codesTitle}</h1>
          <p className="hint">{F.codesHint}</p>
          <ol className="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code translate="no">{c}</code>
              </li>
            ))}
          </ol>
          <button type="button" className="link" onClick={() => window.print()}>
            {F.codesPrint}
          </button>
          <button type="button" onClick={props.onDone} data-testid="recovery-codes-done">
            {F.codesDone}
          </button>
        </section>
      </main>
    );
  }
  return (
    <main className="login">
      <form onSubmit={(e) => void confirm(e)} className="login-card wide-card" aria-labelledby="enrol-title" data-testid="enrol-second-factor">
        <h1 id="enrol-title">{F.enrolTitle}</h1>
        {props.forced && <p className="hint">{F.enrolForced}</p>}
        <p className="hint">{F.enrolIntro}</p>
        {!enrolment ? (
          <>
            <label>
              {F.enrolPassword}
              <input
                name="current-password"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), password && void start())}
                autoFocus
                data-testid="enrol-password"
              />
            </label>
            <button type="button" onClick={() => void start()} disabled={busy || !password} data-testid="enrol-start">
              {F.enrolStart}
            </button>
          </>
        ) : (
          <>
            <p>{F.enrolStep1}</p>
            <img
              className="qr"
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`}
              alt={F.enrolStep1}
              width={200}
              height={200}
              data-testid="enrol-qr"
            />
            <p className="hint">{F.enrolManual}</p>
            <p>
              <code className="secret" data-testid="enrol-secret" translate="no">
                {enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}
              </code>
            </p>
            <label>
              {F.enrolStep2}
              <input
                name="one-time-code"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={12}
                className="otp"
                value={code}
                onChange={(e) => setCode(e.target.value)}
                autoFocus
                data-testid="enrol-code"
              />
            </label>
            <button type="submit" disabled={busy || !code.trim()} data-testid="enrol-confirm">
              {busy ? F.enrolBusy : F.enrolConfirm}
            </button>
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="button" className="link" onClick={props.onCancel}>
          {props.forced ? F.logout : F.cancel}
        </button>
      </form>
    </main>
  );
}
