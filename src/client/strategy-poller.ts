import { diag } from '@opentelemetry/api';
import { httpCall } from './http-transport';
import type { Cancel, Scheduler } from './timing';

export interface PollerOptions {
  url: URL;
  intervalMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  scheduler: Scheduler;
  /** Applies a 2xx body; throws when it is not a usable strategy. */
  apply(body: string): void;
}

/**
 * Fetches the strategy at once, then every `intervalMs` after the previous poll finished, so a
 * slow Samplane never sees polls pile up. A failed poll changes nothing: the sampler keeps
 * what it applied last. Failures are logged when they start and when they end, not each time.
 */
export class StrategyPoller {
  private inFlight: Promise<boolean> | undefined;
  private cancelNext: Cancel | undefined;
  private stopped = false;
  private failing = false;

  constructor(private readonly options: PollerOptions) {}

  start(): void {
    this.plan(0);
  }

  /** One poll now (or the one under way); resolves with whether a strategy was applied. */
  poll(): Promise<boolean> {
    this.inFlight ??= this.pollOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    this.cancelNext?.();
    this.cancelNext = undefined;
  }

  private plan(delayMs: number): void {
    if (this.stopped) return;
    this.cancelNext = this.options.scheduler.schedule(delayMs, () => {
      this.cancelNext = undefined;
      void this.poll().then(() => this.plan(this.options.intervalMs));
    });
  }

  private async pollOnce(): Promise<boolean> {
    const { url, timeoutMs, maxResponseBytes } = this.options;
    try {
      const answer = await httpCall({ method: 'GET', url, timeoutMs, maxResponseBytes, holdsProcess: false });
      // Unlike jaeger-client, which applies any JSON whatever the status, only a 2xx answer
      // counts: a failing replica or a proxy's error page says nothing about sampling.
      if (answer.status < 200 || answer.status > 299) throw new Error(`answered ${answer.status}`);
      this.options.apply(answer.body);
      if (this.failing) diag.info(`samplane: strategy poll of ${url.href} works again`);
      this.failing = false;
      return true;
    } catch (error) {
      if (!this.failing) {
        diag.warn(`samplane: strategy poll of ${url.href} failed, keeping the last strategy: ${String(error)}`);
      }
      this.failing = true;
      return false;
    }
  }
}
