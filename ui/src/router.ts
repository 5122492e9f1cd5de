import { useEffect, useState } from 'preact/hooks';

/** Path-based routes under `/ui/…`; the server answers every one of them with the page. */
const listeners = new Set<() => void>();

export function navigate(path: string): void {
  history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const changed = (): void => setTick((n) => n + 1);
    listeners.add(changed);
    addEventListener('popstate', changed);
    return () => {
      listeners.delete(changed);
      removeEventListener('popstate', changed);
    };
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

export function servicePath(service: string): string {
  return `/ui/services/${encodeURIComponent(service)}`;
}

/** A plain link that moves within the page instead of reloading it. */
export function onLink(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute('href') ?? '/');
}
