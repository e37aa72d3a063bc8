import { useState, type FormEvent } from 'react';
import { T } from '../strings';

const F = T.secondFactor;

/** The login's second step: the 6-digit code from the authenticator app, or one recovery code. */
export function SecondFactorStep(props: { onSubmit: (proof: { code: string } | { recoveryCode: string }) => Promise<void>; onBack: () => void }) {
  const [recovery, setRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit(recovery ? { recoveryCode: value } : { code: value });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setValue('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={(e) => void submit(e)} className="login-card" aria-labelledby="factor-title" data-testid="second-factor">
        <h1 id="factor-title">{F.title}</h1>
        <p className="hint">{recovery ? F.recoveryHint : F.hint}</p>
        <label>
          {recovery ? F.recovery : F.code}
          {recovery ? (
            <input
              key="recovery"
              name="recovery-code"
              autoComplete="off"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              autoFocus
              data-testid="recovery-code"
            />
          ) : (
            <input
              key="code"
              name="one-time-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={12}
              className="otp"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              autoFocus
              data-testid="totp-code"
            />
          )}
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !value.trim()} data-testid="second-factor-button">
          {busy ? F.busy : F.button}
        </button>
        <button type="button" className="link" onClick={() => (setRecovery(!recovery), setValue(''), setError(undefined))} data-testid="toggle-recovery">
          {recovery ? F.useCode : F.useRecovery}
        </button>
        <button type="button" className="link" onClick={props.onBack}>
          {F.back}
        </button>
      </form>
    </main>
  );
}
