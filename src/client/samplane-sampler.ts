import { type Context, type Link, type SpanKind, TraceFlags, isSpanContextValid, trace } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { NOT_SAMPLED, sampledWith } from './operation-state';
import { type DrainedWindow, OperationTable } from './operation-table';
import { RateLimiter } from './rate-limiter';
import { type ClientStrategy, parseStrategy } from './strategy';
import { StrategyPoller } from './strategy-poller';
import { type Clock, type Scheduler, systemClock, unrefScheduler } from './timing';
import { keptAt } from './trace-id-threshold';

export interface SamplaneSamplerOptions {
  /** Samplane's HTTP base URL, such as `http://samplane:5778`. */
  endpoint: string;
  /** The service whose strategy is polled; 1 to 256 characters, as Samplane accepts them. */
  serviceName: string;
  /** How often the strategy is polled; the first poll is at once. Default 60 s, as Jaeger clients. */
  pollIntervalMs?: number;
  /** The probability applied until a strategy arrives. Default 0.001, Samplane's own default. */
  initialProbability?: number;
  /** Operations tracked, each with its own rate and lower bound. Default 2000, Samplane's cap. */
  maxOperations?: number;
  /** Longest wait for one answer from Samplane. Default 5 s. */
  requestTimeoutMs?: number;
  /** For tests: time and timers. */
  clock?: Clock;
  scheduler?: Scheduler;
}

export const SAMPLER_DEFAULTS = {
  pollIntervalMs: 60_000,
  initialProbability: 0.001,
  maxOperations: 2000,
  requestTimeoutMs: 5_000,
} as const;

const MAX_SERVICE_LENGTH = 256;
// 2000 operations with names at Samplane's 1,024-character limit fit with room to spare.
const MAX_STRATEGY_BYTES = 8 * 1024 * 1024;
const SAMPLED_BY_PARENT: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });

/**
 * An OpenTelemetry sampler steered by Samplane. Root spans are decided by the strategy
 * Samplane serves for the service — per-operation probabilities with a lower bound per
 * operation, a service-wide rate limit, or one probability — and every root decision is
 * counted for `SamplaneSpanProcessor` to report. Child spans follow their parent, local or
 * remote, as `ParentBasedSampler` would have them, so the sampler needs no such wrapper.
 */
export class SamplaneSampler implements Sampler {
  readonly endpoint: string;
  readonly serviceName: string;
  private readonly clock: Clock;
  private readonly maxOperations: number;
  private readonly table: OperationTable;
  private readonly poller: StrategyPoller;
  private current: ClientStrategy;
  private appliedBody: string | undefined;
  /** Set only while a rate-limiting strategy is applied. */
  private serviceLimiter: RateLimiter | undefined;
  private rateLimitedResult: SamplingResult = NOT_SAMPLED;

  constructor(options: SamplaneSamplerOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.serviceName = options.serviceName;
    if (this.serviceName.trim() === '' || this.serviceName.length > MAX_SERVICE_LENGTH) {
      throw new RangeError(`serviceName must have 1 to ${MAX_SERVICE_LENGTH} characters`);
    }
    const initialProbability = options.initialProbability ?? SAMPLER_DEFAULTS.initialProbability;
    if (!(initialProbability >= 0 && initialProbability <= 1)) {
      throw new RangeError(`initialProbability ${initialProbability} is not a probability`);
    }
    this.clock = options.clock ?? systemClock;
    this.maxOperations = positive(options.maxOperations ?? SAMPLER_DEFAULTS.maxOperations, 'maxOperations');
    this.current = { kind: 'probabilistic', probability: initialProbability };
    this.table = new OperationTable(this.maxOperations, this.current, this.clock.now());
    this.poller = new StrategyPoller({
      url: new URL(`${this.endpoint}/sampling?service=${encodeURIComponent(this.serviceName)}`),
      intervalMs: positive(options.pollIntervalMs ?? SAMPLER_DEFAULTS.pollIntervalMs, 'pollIntervalMs'),
      timeoutMs: positive(options.requestTimeoutMs ?? SAMPLER_DEFAULTS.requestTimeoutMs, 'requestTimeoutMs'),
      maxResponseBytes: MAX_STRATEGY_BYTES,
      scheduler: options.scheduler ?? unrefScheduler,
      apply: (body) => this.applyBody(body),
    });
    this.poller.start();
  }

  /**
   * The hot path: no I/O, and once an operation is known no allocation but the number a clock
   * read returns, which only a lower bound or a rate limit needs. Children follow their
   * parent; a root span is kept by the service's rate limit, else by probability on its trace
   * id, else by its operation's lower bound.
   */
  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    _spanKind?: SpanKind,
    _attributes?: unknown,
    _links?: Link[],
  ): SamplingResult {
    const parent = trace.getSpanContext(context);
    if (parent !== undefined && isSpanContextValid(parent)) {
      return (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? SAMPLED_BY_PARENT : NOT_SAMPLED;
    }
    const op = this.table.lookup(spanName, this.clock);
    op.count++;
    const serviceLimiter = this.serviceLimiter;
    if (serviceLimiter !== undefined) {
      if (!serviceLimiter.trySpend(this.clock.now())) return NOT_SAMPLED;
      op.sampled++;
      return this.rateLimitedResult;
    }
    const lowerBound = op.lowerBound;
    if (keptAt(traceId, op.thresholdHigh, op.thresholdLow)) {
      // A trace kept by probability uses up the guarantee too: the bound is a floor, not extra.
      if (lowerBound !== undefined) lowerBound.trySpend(this.clock.now());
      op.sampled++;
      return op.sampledResult;
    }
    if (lowerBound !== undefined && lowerBound.trySpend(this.clock.now())) return op.lowerBoundResult;
    return NOT_SAMPLED;
  }

  toString(): string {
    return `SamplaneSampler{service=${this.serviceName}, ${describe(this.current)}}`;
  }

  /** The strategy applied now: the initial probability until a poll succeeds, then the last good one. */
  get strategy(): ClientStrategy {
    return this.current;
  }

  /** Operations tracked one by one (at most `maxOperations`). */
  get trackedOperations(): number {
    return this.table.size;
  }

  /** Polls now, or joins the poll under way; resolves with whether a strategy was applied. */
  poll(): Promise<boolean> {
    return this.poller.poll();
  }

  /** Stops polling; decisions go on with the last strategy. */
  shutdown(): void {
    this.poller.stop();
  }

  /** For the span processor: the current window's counts per operation, and a fresh window. */
  drainWindow(): DrainedWindow {
    return this.table.drain();
  }

  /** For the span processor: a sampled root span of this name ended with status ERROR. */
  recordError(spanName: string): void {
    this.table.recordError(spanName);
  }

  private applyBody(body: string): void {
    // Samplane answers the same bytes until something changes; re-applying would be wasted work.
    if (body === this.appliedBody) return;
    const strategy = parseStrategy(body, this.maxOperations);
    const now = this.clock.now();
    this.table.apply(strategy, now);
    if (strategy.kind === 'rate-limiting') {
      if (this.serviceLimiter) this.serviceLimiter.update(strategy.maxTracesPerSecond);
      else this.serviceLimiter = new RateLimiter(strategy.maxTracesPerSecond, now);
      this.rateLimitedResult = sampledWith('ratelimiting', strategy.maxTracesPerSecond);
    } else {
      this.serviceLimiter = undefined;
    }
    this.current = strategy;
    this.appliedBody = body;
  }
}

function describe(strategy: ClientStrategy): string {
  switch (strategy.kind) {
    case 'probabilistic':
      return `probabilistic=${strategy.probability}`;
    case 'rate-limiting':
      return `ratelimiting=${strategy.maxTracesPerSecond}/s`;
    case 'per-operation':
      return (
        `default=${strategy.defaultProbability}, lowerBound=${strategy.lowerBound}/s, ` +
        `operations=${strategy.operations.size}`
      );
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
