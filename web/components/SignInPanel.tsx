'use client';

import { useState } from 'react';

/**
 * Sign-in with an API token: the server checks it and answers with an http-only session cookie, so
 * the browser never keeps the secret in script-readable storage.
 */
export function SignInPanel({ onSignIn }: { onSignIn: (token: string) => Promise<{ ok: true } | { ok: false; message: string }> }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (token.trim() === '') {
      setProblem('Paste a token first; create one with `morphsweep token create <name>`.');
      return;
    }
    setBusy(true);
    const outcome = await onSignIn(token.trim());
    setBusy(false);
    if (outcome.ok) window.location.reload();
    else setProblem(outcome.message);
  };

  return (
    <section className="panel sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p>
        This server requires an API token. Create one on the server with <code>morphsweep token create &lt;name&gt;</code> and
        paste it here.
      </p>
      <form onSubmit={submit}>
        <label htmlFor="api-token">API token</label>
        <input
          id="api-token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={problem ? true : undefined}
        />
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
