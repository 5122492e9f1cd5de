import { useState } from 'preact/hooks';
import { ApiError, type Session, get, storeToken } from '../api';

/** An admin token, kept in this tab only (session storage) and sent as a bearer token. */
export function SignIn({ message, onSignedIn }: { message?: string; onSignedIn(session: Session): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    storeToken(token.trim());
    try {
      onSignedIn(await get<Session>('/api/v1/session'));
    } catch (reason) {
      storeToken(null);
      setError(reason instanceof ApiError && reason.status === 401 ? `That token was refused: ${reason.message}` : String(reason));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>Samplane</h1>
      <p>Sign in with an admin token (ADMIN_TOKENS).</p>
      {message && !error && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)}>
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          required
          value={token}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'token-error' : undefined}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        {error && (
          <p id="token-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
