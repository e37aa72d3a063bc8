import { useState, type FormEvent } from 'react';
import { T } from '../strings';

export function Login(props: { error: string | undefined; busy: boolean; onLogin: (u: string, p: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (username && password) props.onLogin(username, password);
  };
  return (
    <main className="login">
      <form onSubmit={submit} className="login-card" aria-labelledby="login-title">
        <h1 id="login-title">{T.loginTitle}</h1>
        <label>
          {T.username}
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
        </label>
        <label>
          {T.password}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {props.error && (
          <p className="error" role="alert">
            {props.error}
          </p>
        )}
        <button type="submit" disabled={props.busy || !username || !password} data-testid="login-button">
          {props.busy ? T.loggingIn : T.loginButton}
        </button>
      </form>
    </main>
  );
}
