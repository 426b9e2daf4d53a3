import { useState, type FormEvent } from 'react';
import { ApiProblem } from '../../shared/api.ts';
import { FieldError } from '../../shared/FieldError.tsx';
import { useLogin } from './useSession.ts';

/** the login form: the server's refusal shown next to the field it names, else under the form */
export function LoginView() {
  const login = useLogin();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ login?: string; password?: string }>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const m = { ...(name === '' ? { login: 'Enter your login.' } : {}), ...(password === '' ? { password: 'Enter your password.' } : {}) };
    setMissing(m);
    if (Object.keys(m).length === 0) login.mutate({ login: name, password });
  };
  const problem = login.error instanceof ApiProblem ? login.error : undefined;
  const fieldError = (field: 'login' | 'password') => missing[field] ?? (problem?.field === field ? problem.message : undefined);
  const formError =
    login.error !== null && (problem === undefined || (problem.field !== 'login' && problem.field !== 'password')) ? login.error.message : undefined;

  return (
    <main className="login" aria-labelledby="login-title">
      <form onSubmit={submit} noValidate className="card">
        <h1 id="login-title">Concord operations console</h1>
        <div className="field">
          <label htmlFor="login-name">Login</label>
          <input
            id="login-name"
            name="login"
            autoComplete="username"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={fieldError('login') !== undefined}
            aria-describedby="login-name-error"
          />
          <FieldError id="login-name-error" message={fieldError('login')} />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={fieldError('password') !== undefined}
            aria-describedby="login-password-error"
          />
          <FieldError id="login-password-error" message={fieldError('password')} />
        </div>
        {formError !== undefined && (
          <p role="alert" className="error">
            {formError}
          </p>
        )}
        <button type="submit" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
