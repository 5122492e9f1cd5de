import type { SamplaneProcess } from './samplane-process';
import { served } from './replica-set';

export interface SimulatedOperation {
  operation: string;
  /** Requests per second across the whole fleet. */
  requestsPerSecond: number;
  /** Fraction of requests that fail; a test may change it while the fleet runs. */
  errorRatio?: number;
}

/** A probability one SDK instance applied, from the replica it polls. */
export interface Observation {
  at: number;
  /** The replica's HTTP port, to tell replicas apart. */
  replica: number;
  operation: string;
  probability: number;
  /** The replica's `samplane_snapshot_version` when it served it. */
  version: number;
}

export interface FleetOptions {
  service: string;
  operations: SimulatedOperation[];
  /** Replicas taking traffic right now; the load balancer spreads it evenly over them. */
  targets: () => SamplaneProcess[];
  tickMs?: number;
  /** A safety bound: the fleet stops by itself after this long. */
  maxDurationMs?: number;
}

/**
 * SDK instances behind a load balancer, one per replica, that obey the probability their
 * replica serves. Every tick each instance takes its share of the traffic, samples it at that
 * probability and sends the report API the window's requests, sampled count and probability,
 * as Samplane's reporters do. Fractions carry over between ticks, so counts are exact over
 * time rather than noisy: what a test sees is the engine, not dice.
 */
export class SimulatedFleet {
  readonly observations: Observation[] = [];
  /** Every accepted report: when it was sent, to which replica, and what it said. */
  readonly reports: Array<{
    at: number;
    /** When the replica accepted it: its counts are in the replica's accumulator from then. */
    answeredAt: number;
    replica: number;
    operation: string;
    count: number;
    sampled: number;
    errors: number;
    /** Failed requests among the sampled ones: the errored traces kept. */
    sampledErrors: number;
  }> = [];
  /** Reports or polls that failed against a replica still taking traffic. */
  readonly failures: string[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly carry = new Map<string, { requests: number; sampled: number; errors: number; sampledErrors: number }>();
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly options: FleetOptions) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** The probability the replica polled most recently served `operation`. */
  latest(operation: string): number | undefined {
    for (let i = this.observations.length - 1; i >= 0; i--) {
      if (this.observations[i].operation === operation) return this.observations[i].probability;
    }
    return undefined;
  }

  /** Every probability observed for `operation` since `since` (epoch ms). */
  probabilitiesSince(operation: string, since: number): number[] {
    return this.observations.filter((o) => o.operation === operation && o.at >= since).map((o) => o.probability);
  }

  /** Sampled spans reported for `operation` in [from, to) (epoch ms), to every replica together. */
  sampledBetween(operation: string, from: number, to: number): number {
    return this.reports
      .filter((r) => r.operation === operation && r.at >= from && r.at < to)
      .reduce((sum, r) => sum + r.sampled, 0);
  }

  /** When the first report sent at or after `since` (epoch ms) was accepted, if one was. */
  firstAnsweredSince(since: number): number | undefined {
    return this.reports.find((r) => r.at >= since)?.answeredAt;
  }

  /** Errored traces sampled for `operation` in [from, to) (epoch ms). */
  sampledErrorsBetween(operation: string, from: number, to: number): number {
    return this.reports
      .filter((r) => r.operation === operation && r.at >= from && r.at < to)
      .reduce((sum, r) => sum + r.sampledErrors, 0);
  }

  private async run(): Promise<void> {
    const tickMs = this.options.tickMs ?? 100;
    const started = Date.now();
    const deadline = started + (this.options.maxDurationMs ?? 120_000);
    let last = started;
    let tick = 0;
    while (this.running && Date.now() < deadline) {
      // Pacing the simulated traffic; the elapsed time, not the tick, sets the counts. Ticks
      // keep their phase rather than drifting by each tick's own time, as a reporter's timer
      // does: drifting reports cross the store's slot boundaries now and then, and a slot that
      // gets two reports next to one that gets none reads as a burst and a drop.
      tick = Math.max(tick + 1, Math.floor((Date.now() - started) / tickMs));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + tick * tickMs - Date.now())));
      const now = Date.now();
      const seconds = (now - last) / 1000;
      last = now;
      const targets = this.options.targets();
      await Promise.all(targets.map((replica) => this.instanceTick(replica, seconds, 1 / targets.length)));
    }
  }

  private async instanceTick(replica: SamplaneProcess, seconds: number, share: number): Promise<void> {
    try {
      const answer = await served(replica, this.options.service);
      const at = Date.now();
      const operations = this.options.operations.map(({ operation, requestsPerSecond, errorRatio = 0 }) => {
        const probability = answer.operations[operation] ?? answer.defaultProbability;
        this.observe({ at, replica: replica.httpPort, operation, probability, version: answer.version });
        const key = `${replica.httpPort} ${operation}`;
        const carry = this.carry.get(key) ?? { requests: 0, sampled: 0, errors: 0, sampledErrors: 0 };
        carry.requests += requestsPerSecond * seconds * share;
        const count = Math.floor(carry.requests);
        carry.requests -= count;
        carry.sampled += count * probability;
        const sampled = Math.min(count, Math.floor(carry.sampled));
        carry.sampled -= sampled;
        carry.errors += count * errorRatio;
        const errors = Math.min(count, Math.floor(carry.errors));
        carry.errors -= errors;
        // Head sampling decides before the outcome: errors are sampled at the same probability.
        carry.sampledErrors += errors * probability;
        const sampledErrors = Math.min(errors, Math.floor(carry.sampledErrors));
        carry.sampledErrors -= sampledErrors;
        this.carry.set(key, carry);
        return { operation, count, sampled, errors, sampledErrors, probability };
      });
      const sentAt = Date.now();
      const response = await fetch(`${replica.url}/api/v1/throughput`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          service: this.options.service,
          instance: `sdk-${replica.httpPort}`,
          windowSeconds: seconds,
          operations: operations.map(({ sampledErrors: _kept, ...reported }) => reported),
        }),
      });
      if (response.status !== 202) throw new Error(`report answered ${response.status}: ${await response.text()}`);
      const answeredAt = Date.now();
      for (const { operation, count, sampled, errors, sampledErrors } of operations) {
        this.reports.push({ at: sentAt, answeredAt, replica: replica.httpPort, operation, count, sampled, errors, sampledErrors });
      }
    } catch (error) {
      if (this.options.targets().includes(replica)) this.failures.push(`${replica.httpPort}: ${String(error)}`);
    }
  }

  private observe(observation: Observation): void {
    const key = `${observation.replica} ${observation.operation}`;
    if (this.lastSeen.get(key) === observation.probability) return;
    this.lastSeen.set(key, observation.probability);
    this.observations.push(observation);
  }
}
