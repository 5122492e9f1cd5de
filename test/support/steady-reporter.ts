import { type StrategyJson, pollStrategy, servedRate } from './served-strategy';

export interface SteadyOperation {
  service: string;
  operation: string;
  requestsPerSecond: number;
  /** Fraction of requests that fail. */
  errorRatio?: number;
}

/**
 * SDK instances that take steady traffic, sample it at whatever Samplane serves them, and send
 * the report API each window's requests, sampled spans, errors and the probability applied.
 * Fractions carry over between windows, so over time the counts match the configured rates
 * exactly: what a test sees is Samplane, not dice or timer jitter.
 */
export class SteadyReporter {
  readonly failures: string[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly carry = new Map<string, { requests: number; sampled: number; errors: number }>();

  constructor(
    private readonly baseUrl: string,
    private readonly operations: SteadyOperation[],
    private readonly tickMs = 100,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let last = Date.now();
    while (this.running) {
      // Paces the reports; the elapsed time, not the tick, sets the counts.
      await new Promise((resolve) => setTimeout(resolve, this.tickMs));
      const now = Date.now();
      const seconds = (now - last) / 1000;
      last = now;
      try {
        await this.tick(seconds);
      } catch (error) {
        this.failures.push(String(error));
      }
    }
  }

  private async tick(seconds: number): Promise<void> {
    const services = [...new Set(this.operations.map((op) => op.service))];
    const served = new Map<string, StrategyJson>(
      await Promise.all(services.map(async (s) => [s, await pollStrategy(this.baseUrl, s)] as const)),
    );
    await Promise.all(
      services.map(async (service) => {
        const strategy = served.get(service) as StrategyJson;
        const operations = this.operations
          .filter((op) => op.service === service)
          .map((op) => {
            const probability = servedRate(strategy, op.operation) ?? 0;
            const key = `${service}\u0000${op.operation}`;
            const carry = this.carry.get(key) ?? { requests: 0, sampled: 0, errors: 0 };
            carry.requests += op.requestsPerSecond * seconds;
            const count = Math.floor(carry.requests);
            carry.requests -= count;
            carry.sampled += count * probability;
            const sampled = Math.min(count, Math.floor(carry.sampled));
            carry.sampled -= sampled;
            carry.errors += count * (op.errorRatio ?? 0);
            const errors = Math.min(count, Math.floor(carry.errors));
            carry.errors -= errors;
            this.carry.set(key, carry);
            return { operation: op.operation, count, sampled, errors, probability };
          });
        const response = await fetch(`${this.baseUrl}/api/v1/throughput`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ service, instance: 'steady-sdk', windowSeconds: seconds, operations }),
        });
        if (response.status !== 202) throw new Error(`report answered ${response.status}: ${await response.text()}`);
      }),
    );
  }
}
