import pino from 'pino';
import type { AppConfig } from '../../../../src/config/app-config';
import { loadConfig } from '../../../../src/config/load-config';
import { CalculationScheduler } from '../../../../src/engine/calculation.scheduler';
import { CalculationService } from '../../../../src/engine/calculation.service';
import { HistoryRecorder } from '../../../../src/engine/history-recorder';
import { LeaderElector } from '../../../../src/engine/leader-elector';
import { ThroughputFlusher } from '../../../../src/engine/throughput-flusher';
import { reportWindowLimitMs } from '../../../../src/ingest/report-window';
import { ThroughputAccumulator } from '../../../../src/ingest/throughput-accumulator';
import { StrategyProvider } from '../../../../src/serving/strategy-provider';
import { historyBounds } from '../../../../src/store/history-store';
import { storeSizing } from '../../../../src/store/store-sizing';
import type { Fence } from '../../../../src/store/leader-lease';
import { MemoryAnnouncer } from '../../../../src/store/memory/memory-announcer';
import { MemoryHistoryStore } from '../../../../src/store/memory/memory-history.store';
import { MemoryLeaderLease } from '../../../../src/store/memory/memory-leader-lease';
import { MemoryThroughputStore } from '../../../../src/store/memory/memory-throughput.store';
import { MemoryStore } from '../../../../src/store/memory/memory.store';
import type { NewProbabilities, OperationTraffic, StateToSave } from '../../../../src/store/store';
import { trafficRecords } from '../../../../src/store/traffic-columns';
import type { CountedOperation } from '../../../../src/sampling/counted-operation';
import type { CalculationInputs, Probabilities } from '../../../../src/sampling/calculator';
import { inputRecords, qpsRecords } from '../../../../src/sampling/input-columns';
import type { PackedCounts } from '../../../../src/store/packed-counts';
import type { IntervalCounts } from '../../../../src/store/throughput-counts';
import type { PackedReadOptions, ReadOptions, ThroughputStore } from '../../../../src/store/throughput-store';
import { EngineMetrics } from '../../../../src/telemetry/engine-metrics';
import { MetricsService } from '../../../../src/telemetry/metrics.service';
import { ManualClock, ProcessClock } from '../../../support/manual-clock';
import type { AppLogger } from '../../../../src/telemetry/logger';
import type { FlushBatch } from '../../../../src/store/flush-batch';

// Nest 12 ships ES modules only, which Jest's CommonJS runtime cannot load on Node 20. The
// classes here are built by hand, so Nest's decorators, inert without its container, are stubbed.
jest.mock('@nestjs/common', () => ({ Inject: () => () => undefined, Injectable: () => () => undefined, Optional: () => () => undefined }));

export const INTERVAL_MS = 10_000;
export const LEASE_MS = 6_000;
export const FLUSH_MS = 1_000;

/** The engine's settings as an operator would set them, with short periods to step through. */
export function engineConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    ADAPTIVE_CALCULATION_INTERVAL: `${INTERVAL_MS}ms`,
    ADAPTIVE_LEADER_LEASE: `${LEASE_MS}ms`,
    ADAPTIVE_DELAY: '2s',
    INGEST_FLUSH_INTERVAL: `${FLUSH_MS}ms`,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export interface Save {
  holder: string;
  token: number;
  version: number;
  /** QPS, inputs and traffic as objects, as a test reads them. */
  snapshot: Omit<NewProbabilities, 'qps' | 'inputs' | 'traffic'> & {
    qps?: Probabilities;
    inputs?: CalculationInputs;
    traffic?: Record<string, Record<string, OperationTraffic>>;
  };
}

/** The embedded store, remembering which fence each accepted save came with. */
class RecordingStore extends MemoryStore {
  readonly saves: Save[] = [];
  /** False: the calculator's state is not kept, as by a leader of a version that saved none. */
  savesState = true;

  override async saveProbabilities(snapshot: NewProbabilities, fence?: Fence): Promise<number> {
    const version = await super.saveProbabilities(snapshot, fence);
    if (fence) {
      const { inputs, traffic, qps, ...served } = snapshot;
      const copy = {
        ...structuredClone(served),
        ...(qps && { qps: qpsRecords(qps) }),
        ...(inputs && { inputs: inputRecords(inputs) }),
        ...(traffic && { traffic: trafficRecords(traffic) }),
      };
      this.saves.push({ holder: fence.holder, token: fence.token, version, snapshot: copy });
    }
    return version;
  }

  override saveState(save: StateToSave, fence?: Fence): Promise<boolean> {
    return this.savesState ? super.saveState(save, fence) : Promise.resolve(false);
  }
}

/** The memory throughput store, each flush reaching it `latencyMs` after it was sent. */
class SlowFlushes extends MemoryThroughputStore {
  constructor(
    private readonly clock: ManualClock,
    private readonly latencyMs: number,
    ...sizing: ConstructorParameters<typeof MemoryThroughputStore>
  ) {
    super(...sizing);
  }

  override async flush(...args: Parameters<MemoryThroughputStore['flush']>): Promise<void> {
    await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.latencyMs));
    return super.flush(...args);
  }
}

/** What replicas share: one clock, and the memory backend in place of Redis. */
export class SharedState {
  readonly clock = new ManualClock();
  readonly lease = new MemoryLeaderLease(this.clock);
  readonly store = new RecordingStore(this.lease);
  readonly throughput: MemoryThroughputStore;
  readonly history: MemoryHistoryStore;
  readonly announcer = new MemoryAnnouncer();

  /** `flushLatencyMs`: how long each flush takes to reach the store, on the shared clock. */
  constructor(
    readonly config: AppConfig = engineConfig(),
    flushLatencyMs = 0,
  ) {
    const { slotMs, retentionMs, window, keptMs } = storeSizing(config);
    this.throughput =
      flushLatencyMs > 0
        ? new SlowFlushes(this.clock, flushLatencyMs, slotMs, retentionMs, window, keptMs)
        : new MemoryThroughputStore(slotMs, retentionMs, window, keptMs);
    this.history = new MemoryHistoryStore(historyBounds(config.adaptive.calculationIntervalMs));
  }
}

/** One replica's engine, built from the real classes as its Nest module wires them. */
export class EngineReplica {
  readonly clock: ProcessClock;
  readonly accumulator: ThroughputAccumulator;
  readonly flusher: ThroughputFlusher;
  readonly elector: LeaderElector;
  readonly calculation: CalculationService;
  readonly scheduler: CalculationScheduler;
  /** Its /metrics, to read a counter by. */
  readonly metrics: MetricsService;

  constructor(
    readonly name: string,
    shared: SharedState,
    throughput: ThroughputStore = shared.throughput,
    logger: AppLogger = pino({ level: 'silent' }),
  ) {
    const { config } = shared;
    const metricsService = new MetricsService();
    this.metrics = metricsService;
    const metrics = new EngineMetrics(metricsService);
    this.clock = new ProcessClock(shared.clock);
    this.accumulator = new ThroughputAccumulator(config.adaptive.maxOperations, reportWindowLimitMs(config));
    this.flusher = new ThroughputFlusher(config, logger, shared.throughput, this.clock, name, metrics, this.accumulator);
    this.elector = new LeaderElector(config, logger, shared.lease, name, metrics, this.clock);
    this.calculation = new CalculationService(
      config,
      logger,
      this.clock,
      throughput,
      shared.store,
      shared.announcer,
      this.elector,
      metrics,
      new StrategyProvider(config, metricsService),
      name,
      new HistoryRecorder(config, shared.history, logger),
    );
    this.scheduler = new CalculationScheduler(config, this.clock, this.calculation, this.elector);
  }

  /** Starts the timers, in the order Nest's lifecycle hooks run them. */
  start(): this {
    void this.flusher.onModuleInit();
    this.elector.onModuleInit();
    this.scheduler.onApplicationBootstrap();
    return this;
  }

  /** `requests` root spans of one operation, reported as counted at `probability`. */
  report(service: string, operation: string, requests: number, probability: number): void {
    this.accumulator.add(service, operation, requests * probability, requests, 0, String(probability), requests);
  }

  /** The same, as a report of the `windowMs` just ended. */
  reportWindow(service: string, operation: string, requests: number, probability: number, windowMs: number): void {
    this.accumulator.add(service, operation, requests * probability, requests, 0, String(probability), requests, requests, windowMs, this.clock.now());
  }

  /** A counter's value for `labels`, as /metrics shows it (0 where the series is absent). */
  async counter(name: string, labels: Record<string, string>): Promise<number> {
    const metric = this.metrics.registry.getSingleMetric(name);
    const values = metric ? (await metric.get()).values : [];
    const found = values.find((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted));
    return found?.value ?? 0;
  }

  /** Whether this replica holds the lease as far as it knows. */
  get leads(): boolean {
    return this.elector.currentFence() !== undefined;
  }
}

export const SERVICE = 'shop';
export const OPERATION = 'GET /cart';

/**
 * `requestsPerSecond` of one operation reaching a replica's ingest, reported every second on
 * the replica's clock (a killed replica receives nothing more).
 */
export function steadyTraffic(replica: EngineReplica, requestsPerSecond: number): void {
  replica.clock.setInterval(() => replica.report(SERVICE, OPERATION, requestsPerSecond, 0.01), 1_000);
}

/**
 * The shared throughput store as one replica's calculation reads it, with reads that can be
 * held: a calculation stalled mid-way, as a frozen process or a very slow store would leave it.
 */
export class StallableThroughput implements ThroughputStore {
  private held: Promise<void> | undefined;
  private resume: (() => void) | undefined;
  /** Reads waiting for `release`. */
  waiting = 0;
  /** Every read's bounds, in order: of slots, or of kept intervals. */
  readonly readBounds: Array<{ of: 'slots' | 'kept'; bounds: number[] }> = [];

  constructor(private readonly store: ThroughputStore) {}

  get slotMs(): number {
    return this.store.slotMs;
  }

  hold(): void {
    this.held = new Promise((resolve) => (this.resume = resolve));
  }

  release(): void {
    this.resume?.();
    this.held = undefined;
  }

  flush(replica: string, drainedAt: number, counts: CountedOperation[] | FlushBatch): ReturnType<ThroughputStore['flush']> {
    return this.store.flush(replica, drainedAt, counts);
  }

  async read(fromMs: number, toMs: number): Promise<CountedOperation[]> {
    await this.wait();
    return this.store.read(fromMs, toMs);
  }

  async readIntervals(bounds: number[], options?: ReadOptions): Promise<IntervalCounts[]> {
    this.readBounds.push({ of: 'slots', bounds });
    await this.wait();
    return this.store.readIntervals(bounds, options);
  }

  async readInterval(from: number, to: number, options?: PackedReadOptions): Promise<PackedCounts> {
    this.readBounds.push({ of: 'slots', bounds: [from, to] });
    await this.wait();
    return this.store.readInterval(from, to, options);
  }

  private async wait(): Promise<void> {
    if (!this.held) return;
    this.waiting++;
    await this.held;
    this.waiting--;
  }

  keepInterval(from: number, to: number, counts: IntervalCounts | PackedCounts): Promise<void> {
    return this.store.keepInterval(from, to, counts);
  }

  keptIntervals(): Promise<Array<[number, number]>> {
    return this.store.keptIntervals();
  }

  async readKept(bounds: number[], options?: ReadOptions): Promise<IntervalCounts[]> {
    this.readBounds.push({ of: 'kept', bounds });
    await this.wait();
    return this.store.readKept(bounds, options);
  }

  async readKeptInterval(from: number, to: number, options?: PackedReadOptions): Promise<PackedCounts> {
    this.readBounds.push({ of: 'kept', bounds: [from, to] });
    await this.wait();
    return this.store.readKeptInterval(from, to, options);
  }

  flushedThrough(aliveSince: number): Promise<number | undefined> {
    return this.store.flushedThrough(aliveSince);
  }

  leave(replica: string): Promise<void> {
    return this.store.leave(replica);
  }
}
