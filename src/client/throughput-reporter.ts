import { diag } from '@opentelemetry/api';
import { httpCall } from './http-transport';
import type { DrainedWindow } from './operation-table';
import { PendingCounts } from './pending-counts';
import { buildReports } from './report-document';
import type { Cancel, Clock, Scheduler } from './timing';

export interface ReporterOptions {
  url: URL;
  /** Samplane's INGEST_TOKENS entry for this reporter, sent as a bearer token. */
  ingestToken?: string;
  service: string;
  instance: string;
  reportIntervalMs: number;
  requestTimeoutMs: number;
  maxBackoffMs: number;
  maxPendingMs: number;
  clock: Clock;
  scheduler: Scheduler;
  /** In [0, 1); spreads retries so a fleet does not return in step after an outage. */
  random: () => number;
  /** The sampler's counts since the last call. */
  drain: () => DrainedWindow;
}

/** What the reporter has done since it started; for logs, tests and curiosity. */
export interface ReporterStats {
  /** Documents Samplane accepted. */
  sent: number;
  /** Attempts that failed (network, timeout, 5xx, 408, 429); their counts were kept or dropped. */
  failed: number;
  /** Documents Samplane refused as invalid (other 4xx); retrying could not help. */
  refused: number;
  /** Operation entries lost: refused, or beyond the bound on what is held back. */
  droppedOperations: number;
  /** Entries never sent because Samplane would refuse the name (empty, over 1,024 characters). */
  skippedOperations: number;
  /** Root spans of operations the full table could not track by name. */
  untrackedSpans: number;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Sends the sampler's counts to `POST /api/v1/throughput` once per window. It never blocks
 * the application and never throws: one request at a time; a failed one keeps its counts to
 * merge into the next report (within `maxPendingMs`) and backs off exponentially up to
 * `maxBackoffMs`, while windows keep being drained so counts never pile up in the sampler.
 */
export class ThroughputReporter {
  readonly stats: ReporterStats = {
    sent: 0,
    failed: 0,
    refused: 0,
    droppedOperations: 0,
    skippedOperations: 0,
    untrackedSpans: 0,
  };
  private readonly pending: PendingCounts;
  private windowStart: number;
  private failures = 0;
  private nextAttemptAt = -Infinity;
  private sending: Promise<void> | undefined;
  private cancelTick: Cancel | undefined;
  private stopped = false;

  constructor(private readonly options: ReporterOptions) {
    this.pending = new PendingCounts(options.maxPendingMs);
    this.windowStart = options.clock.now();
  }

  start(): void {
    this.plan();
  }

  /** Resolves once no report is being sent. */
  async idle(): Promise<void> {
    while (this.sending) await this.sending;
  }

  /**
   * Ends the window now and sends what is pending, unless Samplane is being backed off from;
   * `final` (shutdown) sends regardless, since there is no later chance.
   */
  async flush(final = false): Promise<void> {
    await this.idle();
    this.roll();
    if (final || this.options.clock.now() >= this.nextAttemptAt) await this.send();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTick?.();
    await this.flush(true);
  }

  private plan(): void {
    if (this.stopped) return;
    this.cancelTick = this.options.scheduler.schedule(this.options.reportIntervalMs, () => {
      this.cancelTick = undefined;
      this.tick();
      this.plan();
    });
  }

  private tick(): void {
    this.roll();
    if (this.sending === undefined && this.options.clock.now() >= this.nextAttemptAt) void this.send();
  }

  /** Closes the sampler's window into the pending counts. */
  private roll(): void {
    const now = this.options.clock.now();
    const window = this.options.drain();
    this.stats.untrackedSpans += window.untracked;
    this.stats.droppedOperations += this.pending.addNewer(window.operations, now - this.windowStart);
    this.windowStart = now;
  }

  private send(): Promise<void> {
    this.sending ??= this.sendPending().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async sendPending(): Promise<void> {
    const startedAt = this.options.clock.now();
    const batch = this.pending.take();
    if (batch.operations.length === 0) return;
    const { service, instance, url, requestTimeoutMs } = this.options;
    const { documents, skipped } = buildReports(service, instance, batch.coveredMs, batch.operations);
    this.stats.skippedOperations += skipped;
    for (let i = 0; i < documents.length; i++) {
      const outcome = await this.post(url, documents[i].body, requestTimeoutMs);
      if (outcome === 'accepted') {
        this.stats.sent++;
      } else if (outcome === 'refused') {
        this.stats.refused++;
        this.stats.droppedOperations += documents[i].operations.length;
      } else {
        this.stats.failed++;
        const unsent = documents.slice(i).flatMap((document) => document.operations);
        this.stats.droppedOperations += this.pending.addOlder(unsent, batch.coveredMs);
        this.backOff(startedAt);
        return;
      }
    }
    if (this.failures > 0) diag.info(`samplane: reports to ${url.href} are accepted again`);
    this.failures = 0;
    this.nextAttemptAt = -Infinity;
  }

  private async post(url: URL, body: string, timeoutMs: number): Promise<'accepted' | 'refused' | 'failed'> {
    try {
      const answer = await httpCall({
        method: 'POST',
        url,
        body,
        timeoutMs,
        maxResponseBytes: MAX_ANSWER_BYTES,
        holdsProcess: true,
        ...(this.options.ingestToken !== undefined && { authorization: `Bearer ${this.options.ingestToken}` }),
      });
      if (answer.status >= 200 && answer.status <= 299) return 'accepted';
      if (answer.status >= 400 && answer.status <= 499 && answer.status !== 408 && answer.status !== 429) {
        diag.warn(`samplane: report refused with ${answer.status}: ${answer.body.slice(0, 500)}`);
        return 'refused';
      }
      this.logFailure(`answered ${answer.status}`);
      return 'failed';
    } catch (error) {
      this.logFailure(String(error));
      return 'failed';
    }
  }

  /**
   * The next attempt waits reportInterval × 2^(failures − 1), capped, ±20 %, counted from
   * when this attempt started so that the first retry falls on the next tick; ticks in
   * between only drain.
   */
  private backOff(attemptStartedAt: number): void {
    this.failures++;
    const { reportIntervalMs, maxBackoffMs, random } = this.options;
    const base = Math.min(maxBackoffMs, reportIntervalMs * 2 ** Math.min(this.failures - 1, 30));
    this.nextAttemptAt = attemptStartedAt + base * (0.8 + 0.4 * random());
  }

  private logFailure(reason: string): void {
    if (this.failures === 0) {
      diag.warn(`samplane: report to ${this.options.url.href} failed (${reason}); retrying with backoff`);
    }
  }
}
