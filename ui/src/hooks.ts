import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload(): void;
}

/**
 * Loads with `load` now and every `refreshMs` (live views), keeping the last good data while a
 * refresh fails. A new `key` starts over.
 */
export function useLoaded<T>(load: () => Promise<T>, key: string, refreshMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    let live = true;
    const run = (): void => {
      loader.current().then(
        (value) => {
          if (!live) return;
          setData(value);
          setError(undefined);
        },
        (reason: unknown) => {
          if (!live || (reason instanceof ApiError && reason.status === 401)) return;
          setError(reason instanceof Error ? reason.message : String(reason));
        },
      );
    };
    run();
    const timer = refreshMs ? setInterval(run, refreshMs) : undefined;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [key, tick, refreshMs]);
  useEffect(() => setData(undefined), [key]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}
