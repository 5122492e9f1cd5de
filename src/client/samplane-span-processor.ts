import { hostname } from 'node:os';
import { type Context, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { REPORT_LIMITS } from './report-document';
import type { SamplaneSampler } from './samplane-sampler';
import { type ReporterStats, ThroughputReporter } from './throughput-reporter';
import { type Clock, type Scheduler, systemClock, unrefScheduler } from './timing';

export interface SamplaneSpanProcessorOptions {
  /** The token Samplane's INGEST_TOKENS gives this service; polls never send it. Default none. */
  ingestToken?: string;
  /** Names this process in reports. Default `hostname:pid`. */
  instance?: string;
  /** Length of a report window: one report per window. Default 10 s. */
  reportIntervalMs?: number;
  /** Longest wait for Samplane to answer a report. Default 5 s. */
  requestTimeoutMs?: number;
  /** Longest wait between attempts while reports fail. Default 5 min. */
  maxBackoffMs?: number;
  /**
   * Most time whose counts are held back while reports fail, merged into the next one; older
   * counts are dropped. Default 30 s: Samplane counts a report when it arrives, so a long
   * outage replayed at once would look like a burst of traffic.
   */
  maxPendingMs?: number;
  /** For tests: time, timers and the jitter of backoff. */
  clock?: Clock;
  scheduler?: Scheduler;
  random?: () => number;
}

export const PROCESSOR_DEFAULTS = {
  reportIntervalMs: 10_000,
  requestTimeoutMs: 5_000,
  maxBackoffMs: 300_000,
  maxPendingMs: 30_000,
} as const;

/**
 * Reports the traffic `SamplaneSampler` sees to Samplane, one document per window.
 *
 * OpenTelemetry calls span processors only for sampled spans, so requests and sampled counts
 * come from the sampler, which sees every root decision: a root span counts in the window in
 * which it started. This processor adds what only the end of a span tells, errors: a sampled
 * root span ending with status ERROR. Errors of unsampled spans cannot be known, so they are
 * reported as `sampledErrors`, from which Samplane estimates the error rate of all requests.
 *
 * `shutdown()` also stops the sampler's polling, and sends the last window.
 */
export class SamplaneSpanProcessor implements SpanProcessor {
  private readonly reporter: ThroughputReporter;
  private stopped = false;

  constructor(
    private readonly sampler: SamplaneSampler,
    options: SamplaneSpanProcessorOptions = {},
  ) {
    const instance = options.instance ?? `${hostname()}:${process.pid}`.slice(0, REPORT_LIMITS.maxInstanceLength);
    if (instance.trim() === '' || instance.length > REPORT_LIMITS.maxInstanceLength) {
      throw new RangeError(`instance must have 1 to ${REPORT_LIMITS.maxInstanceLength} characters`);
    }
    this.reporter = new ThroughputReporter({
      url: new URL(`${sampler.endpoint}/api/v1/throughput`),
      ...(options.ingestToken !== undefined && { ingestToken: options.ingestToken }),
      service: sampler.serviceName,
      instance,
      reportIntervalMs: positive(options.reportIntervalMs ?? PROCESSOR_DEFAULTS.reportIntervalMs, 'reportIntervalMs'),
      requestTimeoutMs: positive(options.requestTimeoutMs ?? PROCESSOR_DEFAULTS.requestTimeoutMs, 'requestTimeoutMs'),
      maxBackoffMs: positive(options.maxBackoffMs ?? PROCESSOR_DEFAULTS.maxBackoffMs, 'maxBackoffMs'),
      maxPendingMs: positive(options.maxPendingMs ?? PROCESSOR_DEFAULTS.maxPendingMs, 'maxPendingMs'),
      clock: options.clock ?? systemClock,
      scheduler: options.scheduler ?? unrefScheduler,
      random: options.random ?? Math.random,
      drain: () => sampler.drainWindow(),
    });
    this.reporter.start();
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    // Only root spans are counted, as Samplane and Jaeger count them.
    if (this.stopped || span.parentSpanContext !== undefined) return;
    if (span.status.code === SpanStatusCode.ERROR) this.sampler.recordError(span.name);
  }

  /** Sends the current window now, unless Samplane is being backed off from. Never rejects. */
  forceFlush(): Promise<void> {
    return this.reporter.flush();
  }

  /** Stops polling and reporting, after sending the last window. Never rejects. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sampler.shutdown();
    await this.reporter.shutdown();
  }

  /** Resolves once no report is in flight; for tests and orderly shutdowns. */
  idle(): Promise<void> {
    return this.reporter.idle();
  }

  get stats(): Readonly<ReporterStats> {
    return this.reporter.stats;
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
