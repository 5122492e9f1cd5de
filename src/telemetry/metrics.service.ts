import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LastPolls, POLLED_PROTOCOLS as PROTOCOLS } from './last-polls';
import { LastPollFamily } from './last-poll-family';

export type PollProtocol = 'http' | 'grpc' | 'xray';
export type PollOutcome = 'ok' | 'not_modified' | 'bad_request' | 'method_not_allowed';
export type ReloadOutcome = 'applied' | 'unchanged' | 'failed';

const OUTCOMES: PollOutcome[] = ['ok', 'not_modified', 'bad_request', 'method_not_allowed'];


/** Upper bounds of the poll latency buckets, in seconds. */
const POLL_LATENCY_BOUNDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05];
const POLL_LATENCY = 'samplane_poll_duration_seconds';

/** One protocol's polls so far, as plain numbers. */
interface PollTally {
  count: Record<PollOutcome, number>;
  /** Polls per latency bucket (the last one is +Inf), not cumulative. */
  buckets: number[];
  seconds: number;
  total: number;
}

/**
 * Every metric Samplane exports, behind methods named for what happened. Polls, counted at
 * thousands per second, are tallied in plain numbers and handed to prom-client only when
 * Prometheus scrapes: prom-client validates and hashes labels on every call, even through a
 * bound child, which costs more than answering the poll.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly polls: Record<PollProtocol, PollTally>;
  private readonly snapshotVersion: Gauge;
  private snapshotBuiltAt = 0;
  private readonly strategiesReloads: Counter<'outcome'>;
  private readonly storeUp: Gauge;
  private readonly overCap: Gauge;
  private readonly lastPolls = new LastPolls();
  /** Families rendered as text of their own, after prom-client's (see TextFamily). */
  private readonly textFamilies: Array<() => string | Buffer> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const tally = (): PollTally => ({
      count: { ok: 0, not_modified: 0, bad_request: 0, method_not_allowed: 0 },
      buckets: POLL_LATENCY_BOUNDS.map(() => 0).concat(0),
      seconds: 0,
      total: 0,
    });
    const polls: Record<PollProtocol, PollTally> = { http: tally(), grpc: tally(), xray: tally() };
    this.polls = polls;
    const pollCount: Counter<'protocol' | 'outcome'> = new Counter({
      name: 'samplane_polls_total',
      help: 'Strategy polls answered, by protocol and outcome.',
      labelNames: ['protocol', 'outcome'],
      registers: [this.registry],
      collect: () => {
        pollCount.reset();
        for (const protocol of PROTOCOLS) {
          for (const outcome of OUTCOMES) pollCount.inc({ protocol, outcome }, polls[protocol].count[outcome]);
        }
      },
    });
    // prom-client's Histogram cannot be given counts, so this one renders its own series.
    this.registry.registerMetric({
      name: POLL_LATENCY,
      help: 'Time to answer a strategy poll once it reached the handler.',
      type: 'histogram',
      aggregator: 'sum',
      reset: () => undefined,
      get: async () => ({
        name: POLL_LATENCY,
        help: 'Time to answer a strategy poll once it reached the handler.',
        type: 'histogram',
        aggregator: 'sum',
        values: PROTOCOLS.flatMap((protocol) => {
          const { buckets, seconds, total } = polls[protocol];
          let cumulative = 0;
          const le = [...POLL_LATENCY_BOUNDS.map(String), '+Inf'];
          return [
            ...buckets.map((count, i) => ({
              metricName: `${POLL_LATENCY}_bucket`,
              labels: { le: le[i], protocol },
              value: (cumulative += count),
            })),
            { metricName: `${POLL_LATENCY}_sum`, labels: { protocol }, value: seconds },
            { metricName: `${POLL_LATENCY}_count`, labels: { protocol }, value: total },
          ];
        }),
      }),
    } as unknown as Histogram);

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
    const lastPoll = new LastPollFamily(this.lastPolls);
    this.addTextFamily(() => lastPoll.render());
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
    const tally = this.polls[protocol];
    tally.count[outcome] += 1;
    let bucket = 0;
    while (bucket < POLL_LATENCY_BOUNDS.length && seconds > POLL_LATENCY_BOUNDS[bucket]) bucket++;
    tally.buckets[bucket] += 1;
    tally.seconds += seconds;
    tally.total += 1;
  }

  /**
   * Notes that `service` polled over `protocol` now: one map lookup, for the services view.
   * `known`: Samplane serves it a strategy of its own (not the default for unknown services).
   */
  servicePolled(service: string, protocol: PollProtocol, known: boolean, at = Date.now()): void {
    this.lastPolls.record(service, protocol, known, at);
  }

  /** When this replica last answered each protocol's poll for `service` (epoch ms). */
  lastPollsOf(service: string): Partial<Record<PollProtocol, number>> {
    return this.lastPolls.of(service);
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

  /**
   * Adds a family written by `render` to every scrape, after the registry's own. A family that
   * changes less often than it is scraped is best given as bytes, encoded once. Bytes returned
   * are copied into the scrape's body before `render` is called again, so they may be a view
   * of memory the family reuses.
   */
  addTextFamily(render: () => string | Buffer): void {
    this.textFamilies.push(render);
  }

  /**
   * The scrape's body as bytes. A large fleet's is hundreds of KB; sent as one string, it was
   * flattened, measured and encoded on every scrape, ~10 ms of a replica's event loop.
   */
  async renderBytes(): Promise<Buffer> {
    const parts: Buffer[] = [];
    let text = await this.registry.metrics();
    for (const family of this.textFamilies) {
      const rendered = family();
      if (typeof rendered === 'string') text += rendered;
      else {
        parts.push(Buffer.from(text), rendered);
        text = '';
      }
    }
    parts.push(Buffer.from(text));
    return Buffer.concat(parts);
  }

  async render(): Promise<string> {
    return (await this.renderBytes()).toString('utf8');
  }
}
