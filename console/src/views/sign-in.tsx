import { useState } from 'preact/hooks';

export function SignIn({ onSignIn, notice }: { onSignIn: (token: string) => Promise<string | undefined>; notice: string | undefined }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | undefined>(notice);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setProblem('Paste an API token first.');
      return;
    }
    setBusy(true);
    const failure = await onSignIn(value);
    setBusy(false);
    if (failure) setProblem(failure);
  };
  return (
    <main class="centered">
      <form class="card sign-in" onSubmit={submit} noValidate>
        <h1 tabIndex={-1}>Paddock</h1>
        <p>Sign in with a team's API token, or the admin token. It stays in this tab only.</p>
        <label for="api-token">API token</label>
        <input id="api-token" type="password" autoComplete="off" spellcheck={false} value={token} onInput={(e) => setToken(e.currentTarget.value)} aria-invalid={problem ? true : undefined} aria-describedby={problem ? 'sign-in-problem' : undefined} />
        {problem && (
          <p id="sign-in-problem" class="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}
