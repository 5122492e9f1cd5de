import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type PollProtocol = 'http' | 'grpc';
export type PollOutcome = 'ok' | 'bad_request' | 'method_not_allowed';
export type ReloadOutcome = 'applied' | 'unchanged' | 'failed';

const PROTOCOLS: PollProtocol[] = ['http', 'grpc'];
const OUTCOMES: PollOutcome[] = ['ok', 'bad_request', 'method_not_allowed'];

interface PollRecorder {
  count: Record<PollOutcome, { inc(value?: number): void }>;
  latency: { observe(seconds: number): void };
}

/**
 * Every metric Samplane exports, behind methods named for what happened. Poll recorders are
 * bound to their labels once, so a poll does no label hashing.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly polls: Record<PollProtocol, PollRecorder>;
  private readonly snapshotVersion: Gauge;
  private snapshotBuiltAt = 0;
  private readonly strategiesReloads: Counter<'outcome'>;
  private readonly storeUp: Gauge;
  private readonly overCap: Gauge;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const pollCount = new Counter({
      name: 'samplane_polls_total',
      help: 'Strategy polls answered, by protocol and outcome.',
      labelNames: ['protocol', 'outcome'],
      registers: [this.registry],
    });
    const pollLatency = new Histogram({
      name: 'samplane_poll_duration_seconds',
      help: 'Time to answer a strategy poll once it reached the handler.',
      labelNames: ['protocol'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers: [this.registry],
    });
    this.polls = Object.fromEntries(
      PROTOCOLS.map((protocol) => [
        protocol,
        {
          count: Object.fromEntries(OUTCOMES.map((o) => [o, pollCount.labels(protocol, o)])),
          latency: pollLatency.labels(protocol),
        },
      ]),
    ) as unknown as Record<PollProtocol, PollRecorder>;
    for (const protocol of PROTOCOLS) for (const o of OUTCOMES) this.polls[protocol].count[o].inc(0);

    this.snapshotVersion = new Gauge({
      name: 'samplane_snapshot_version',
      help: 'Version of the probabilities snapshot this replica serves (0: none computed yet).',
      registers: [this.registry],
    });
    const builtAt = (): number => this.snapshotBuiltAt;
    const age = new Gauge({
      name: 'samplane_snapshot_age_seconds',
      help: 'Seconds since the serving snapshot was last rebuilt.',
      registers: [this.registry],
      collect: () => {
        const at = builtAt();
        age.set(at === 0 ? 0 : (Date.now() - at) / 1000);
      },
    });
    this.strategiesReloads = new Counter({
      name: 'samplane_strategies_file_reloads_total',
      help: 'Reads of STRATEGIES_FILE, by outcome (applied, unchanged, failed).',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    for (const outcome of ['applied', 'unchanged', 'failed']) this.strategiesReloads.labels(outcome).inc(0);
    this.overCap = new Gauge({
      name: 'samplane_served_operations_over_cap',
      help: 'Computed operations not served individually because of ADAPTIVE_MAX_OPERATIONS.',
      registers: [this.registry],
    });
    this.storeUp = new Gauge({
      name: 'samplane_store_up',
      help: '1 while the shared store (Redis, or the embedded one) answers, else 0.',
      registers: [this.registry],
    });
  }

  servedOverCap(operations: number): void {
    this.overCap.set(operations);
  }

  recordPoll(protocol: PollProtocol, outcome: PollOutcome, seconds: number): void {
    const recorder = this.polls[protocol];
    recorder.count[outcome].inc();
    recorder.latency.observe(seconds);
  }

  snapshotServed(version: number, builtAt: number): void {
    this.snapshotVersion.set(version);
    this.snapshotBuiltAt = builtAt;
  }

  strategiesFileRead(outcome: ReloadOutcome): void {
    this.strategiesReloads.labels(outcome).inc();
  }

  storeReachable(up: boolean): void {
    this.storeUp.set(up ? 1 : 0);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
