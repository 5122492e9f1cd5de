import { useEffect, useState } from 'preact/hooks';
import { type Session, get, storeToken, storedToken, whenUnauthorized } from './api';
import { AuditPage } from './pages/audit';
import { Overview } from './pages/overview';
import { ServicePage } from './pages/service';
import { SignIn } from './pages/sign-in';
import { navigate, onLink, useLocation } from './router';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(storedToken() !== null);
  const [notice, setNotice] = useState<string | undefined>(undefined);

  useEffect(() => {
    whenUnauthorized((message) => {
      storeToken(null);
      setSession(null);
      setNotice(`You were signed out: ${message}. Sign in again.`);
    });
    if (storedToken() === null) return;
    get<Session>('/api/v1/session').then(
      (s) => {
        setSession(s);
        setChecking(false);
      },
      () => setChecking(false),
    );
  }, []);

  if (checking) return <p class="loading">Loading…</p>;
  if (!session) {
    return (
      <SignIn
        message={notice}
        onSignedIn={(s) => {
          setNotice(undefined);
          setSession(s);
        }}
      />
    );
  }
  const signOut = (): void => {
    storeToken(null);
    setSession(null);
    setNotice('Signed out.');
    navigate('/');
  };
  return (
    <>
      <header class="top">
        <a class="brand" href="/" onClick={onLink}>
          Samplane
        </a>
        <nav aria-label="Main">
          <a href="/" onClick={onLink}>
            Services
          </a>
          <a href="/ui/audit" onClick={onLink}>
            Audit
          </a>
        </nav>
        <span class="who">
          {session.name} ({session.role})
        </span>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Routes session={session} />
      </main>
    </>
  );
}

function Routes({ session }: { session: Session }) {
  const { path, query } = useLocation();
  const service = /^\/ui\/services\/(.+)$/.exec(path);
  if (service) return <ServicePage service={decodeURIComponent(service[1])} session={session} />;
  if (path === '/ui/audit') return <AuditPage service={query.get('service') ?? ''} />;
  return <Overview />;
}
