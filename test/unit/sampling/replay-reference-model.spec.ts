import { parseReplayInput, runReplay } from '../../../src/sampling/replay';

/**
 * An independent check of the jaeger replay: random multi-round scenarios are run through
 * `runReplay` and through the reference model below, a plain restatement of Jaeger's
 * adaptive sampling rules (its post-aggregator) that shares no code with the implementation. Simulated
 * clients react to what the model served, so the adaptive check is exercised both ways.
 */

interface Options {
  targetSamplesPerSecond: number;
  deltaTolerance: number;
  calculationBuckets: number;
  aggregationBuckets: number;
  initialSamplingProbability: number;
  minSamplingProbability: number;
  increaseCap: number;
}

interface InputRecord {
  service: string;
  operation: string;
  count: number;
  probabilities: number[];
}

type Table = Record<string, Record<string, number>>;

/**
 * Six decimals, exact ties to even. A double ends in exactly 5 at the 7th decimal iff it is an
 * odd multiple of 1/128; everywhere else toFixed is already exact.
 */
function sixDecimals(p: number): string {
  const ticks = p * 128;
  if (!Number.isInteger(ticks) || ticks % 2 === 0) return p.toFixed(6);
  const below = Math.floor(p * 1e6); // exact: p × 10^6 = ticks × 7812.5
  const rounded = below % 2 === 0 ? below : below + 1;
  return `${Math.floor(rounded / 1e6)}.${String(rounded % 1e6).padStart(6, '0')}`;
}

class ReferenceModel {
  /** Newest first; each maps "service/operation" to its merged count and probability set. */
  private buckets: { seconds: number; ops: Map<string, { count: number; seen: Set<string> }> }[] = [];
  private last = new Map<string, number>();
  private previousRound = new Map<string, { probability: number; adaptive: boolean }>();

  constructor(private readonly o: Options) {}

  served(key: string): number {
    return this.last.get(key) ?? this.o.initialSamplingProbability;
  }

  round(seconds: number, records: InputRecord[]): { probabilities: Table; qps: Table } {
    const ops = new Map<string, { count: number; seen: Set<string> }>();
    for (const r of records) {
      const key = `${r.service}/${r.operation}`;
      const entry = ops.get(key) ?? { count: 0, seen: new Set<string>() };
      entry.count += r.count;
      for (const p of r.probabilities) entry.seen.add(sixDecimals(p));
      ops.set(key, entry);
    }
    this.buckets = [{ seconds, ops }, ...this.buckets].slice(0, this.o.aggregationBuckets);

    const keys = new Set<string>();
    for (const b of this.buckets) for (const key of b.ops.keys()) keys.add(key);

    const probabilities: Table = {};
    const qpsTable: Table = {};
    const thisRound = new Map<string, { probability: number; adaptive: boolean }>();
    const next = new Map<string, number>();
    for (const key of keys) {
      const values: number[] = [];
      for (const b of this.buckets) {
        const op = b.ops.get(key);
        if (op && values.length < this.o.calculationBuckets) values.push(op.count / b.seconds);
      }
      const L = values.length;
      let total = 0;
      for (let i = 0; i < L; i++) total += (L - i) ** 4;
      let qps = 0;
      for (let i = 0; i < L; i++) qps += values[i] * ((L - i) ** 4 / total);

      const initial = this.o.initialSamplingProbability;
      const old = this.last.get(key) ?? initial;
      const newestOp = this.buckets[0].ops.get(key);
      const before = this.previousRound.get(key);
      let adaptive: boolean;
      if (Math.abs(old - initial) < 1e-10) adaptive = true;
      else if (newestOp) adaptive = newestOp.seen.has(sixDecimals(old));
      // "It was adaptive then", judged with the probability it had then (Jaeger's cache entry).
      else if (before) adaptive = before.adaptive && Math.abs(before.probability - initial) >= 1e-10;
      else adaptive = false;
      thisRound.set(key, { probability: old, adaptive });

      let p: number;
      const target = this.o.targetSamplesPerSecond;
      if (Math.abs(qps - target) / target < this.o.deltaTolerance || !adaptive) {
        p = old;
      } else {
        if (Math.abs(qps) < 1e-10) {
          // Doubling at zero QPS is not the calculator's doing: the cap does not apply to it.
          p = old * 2;
        } else {
          p = (old * target) / qps;
          if ((p - old) / old > this.o.increaseCap) p = old * (1 + this.o.increaseCap);
        }
        p = Math.min(1, Math.max(this.o.minSamplingProbability, p));
      }
      next.set(key, p);

      const [service, operation] = key.split('/');
      (probabilities[service] ??= {})[operation] = p;
      (qpsTable[service] ??= {})[operation] = qps;
    }
    this.last = next;
    this.previousRound = thisRound;
    return { probabilities, qps: qpsTable };
  }
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Client = 'follows' | 'static' | 'lowerbound' | 'mixed' | 'lagging';

function scenario(seed: number) {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const options: Options = {
    targetSamplesPerSecond: pick([0.5, 1, 2, 5]),
    deltaTolerance: pick([0, 0.1, 0.3, 0.5]),
    calculationBuckets: pick([1, 1, 2, 3, 5]),
    aggregationBuckets: pick([1, 2, 3, 10]),
    initialSamplingProbability: pick([0.001, 0.01, 0.0078125, 0.5, 1]),
    minSamplingProbability: pick([0, 0.00001, 0.001]),
    increaseCap: pick([0.5, 1, 1, 3]),
  };
  const operations = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => ({
    service: pick(['svcA', 'svcB', 'svcC']),
    operation: `op${i}`,
    client: pick<Client>(['follows', 'follows', 'static', 'lowerbound', 'mixed', 'lagging']),
    // Requests per second; the sampled count follows the served probability.
    rate: pick([0, 0.5, 20, 300, 1000, 50_000]),
    presence: pick([1, 0.8, 0.4]),
  }));
  const model = new ReferenceModel(options);
  const lastServed = new Map<string, number>();
  const rounds: { intervalSeconds: number; throughput: InputRecord[] }[] = [];
  const expected: { probabilities: Table; qps: Table }[] = [];

  const roundCount = 3 + Math.floor(random() * 12);
  for (let r = 0; r < roundCount; r++) {
    const intervalSeconds = pick([60, 60, 30, 61.5, 120]);
    const throughput: InputRecord[] = [];
    for (const op of operations) {
      if (random() >= op.presence) continue;
      const key = `${op.service}/${op.operation}`;
      const served = model.served(key);
      const reported: number[] = {
        follows: [served],
        static: [1],
        lowerbound: [served],
        mixed: [served, 0.25],
        lagging: [lastServed.get(key) ?? served],
      }[op.client];
      const p = op.client === 'static' ? 1 : served;
      const count = op.client === 'lowerbound' ? 0 : Math.round(op.rate * intervalSeconds * p * (0.5 + random()));
      // Split over one to three collectors.
      const parts = 1 + Math.floor(random() * 3);
      let left = count;
      for (let i = 0; i < parts; i++) {
        const share = i === parts - 1 ? left : Math.floor(left * random());
        left -= share;
        throughput.push({ ...op, count: share, probabilities: i === 0 ? reported : reported.slice(0, 1) });
      }
      lastServed.set(key, served);
    }
    rounds.push({
      intervalSeconds,
      throughput: throughput.map(({ service, operation, count, probabilities }) => ({
        service,
        operation,
        count,
        probabilities,
      })),
    });
    expected.push(model.round(intervalSeconds, rounds[r].throughput));
  }
  return { input: { algorithm: 'jaeger', options, rounds }, expected };
}

/** The model multiplies as the rule is stated, Jaeger divides first: allow for the last bits. */
function expectClose(actual: Table, expected: Table, where: string): void {
  const names = (table: Table): string => {
    const keys = Object.entries(table).flatMap(([service, ops]) => Object.keys(ops).map((op) => `${service}/${op}`));
    return JSON.stringify(keys.sort());
  };
  if (names(actual) !== names(expected)) {
    throw new Error(`${where}: replay has ${names(actual)}, reference model ${names(expected)}`);
  }
  for (const [service, ops] of Object.entries(expected)) {
    for (const [op, value] of Object.entries(ops)) {
      const got = actual[service][op];
      if (Math.abs(got - value) > 1e-12 * Math.max(Math.abs(value), 1e-300)) {
        throw new Error(`${where} ${service}/${op}: replay ${got}, reference model ${value}`);
      }
    }
  }
}

describe('replay against the reference model', () => {
  const seeds = Array.from({ length: 400 }, (_, i) => i + 1);

  it('agrees on every round of 400 random scenarios', () => {
    let adapted = 0;
    let kept = 0;
    for (const seed of seeds) {
      const { input, expected } = scenario(seed);
      const output = runReplay(parseReplayInput(input));
      if (output.rounds.length !== expected.length) throw new Error(`seed ${seed}: round count differs`);
      output.rounds.forEach((round, i) => {
        expectClose(round.probabilities, expected[i].probabilities, `seed ${seed} round ${i + 1} probability`);
        expectClose(round.qps, expected[i].qps, `seed ${seed} round ${i + 1} qps`);
        for (const [service, ops] of Object.entries(round.probabilities)) {
          for (const [op, p] of Object.entries(ops)) {
            const before = i > 0 ? output.rounds[i - 1].probabilities[service]?.[op] : undefined;
            if (before === undefined) continue;
            if (p === before) kept++;
            else adapted++;
          }
        }
      });
    }
    // The scenarios must exercise both outcomes, or agreement would prove little.
    expect(adapted).toBeGreaterThan(500);
    expect(kept).toBeGreaterThan(500);
  });
});
