import { useState, type FormEvent } from 'react';
import { passwordProblems } from '@vj/shared';
import { T } from '../strings';

const P = T.passwordChange;

/**
 * Choosing a new password: forced at the first login of an account created with a one-time password, or asked
 * for from the top bar. What the policy still wants is listed as the user types (the server checks the same).
 */
export function ChangePassword(props: {
  username: string;
  forced: boolean;
  onChange: (current: string, next: string) => Promise<void>;
  onCancel?: () => void;
}) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const problems = next ? passwordProblems(next, props.username) : [];
  const mismatch = again !== '' && again !== next;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!current || !next || problems.length || next !== again) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onChange(current, next);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={(e) => void submit(e)} className="login-card" aria-labelledby="password-title" data-testid="change-password">
        <h1 id="password-title">{props.forced ? P.forcedTitle : P.title}</h1>
        {props.forced && <p className="hint">{P.forcedHint}</p>}
        <label>
          {P.current}
          <input
            name="current-password"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            autoFocus
          />
        </label>
        <label>
          {P.next}
          <input name="new-password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        {problems.length > 0 && (
          <ul className="hint" data-testid="password-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        <label>
          {P.again}
          <input name="new-password-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
        </label>
        {mismatch && <p className="error">{P.mismatch}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !current || !next || problems.length > 0 || next !== again} data-testid="change-password-button">
          {busy ? P.busy : P.button}
        </button>
        {props.onCancel && (
          <button type="button" className="link" onClick={props.onCancel}>
            {P.cancel}
          </button>
        )}
      </form>
    </main>
  );
}
