import { JAEGER_DEFAULTS } from '../../../../src/sampling/adaptive-options';
import { formatProbability } from '../../../../src/sampling/jaeger/format-probability';
import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import { type ServiceThroughput, type ThroughputBucket, recentPartLength, unionProbabilities } from '../../../../src/sampling/throughput';
import { Random } from '../../../../src/simulator/random';

/**
 * What the engine sees of an OpenTelemetry SDK application that writes no sampler tags, on a
 * virtual clock, fed to the real `SamplaneCalculator`:
 *
 * - the application makes requests of each operation (Poisson); its Jaeger remote sampler
 *   polls every `pollSeconds` and samples each request at the probability that poll returned
 *   (nothing before its first poll);
 * - its batch span processor holds sampled spans until `exportDelaySeconds` after the first
 *   one queued, then exports them all at once (the OTel JS `BatchSpanProcessor`'s timer);
 * - ingest counts each exported span as 1/p requests, p being what Samplane served the
 *   operation when the span started (known from how long before the batch's newest span it
 *   started), into the counts its replica drains every second into one-second slots;
 * - the leader calculates every `intervalSeconds` over the slots at least `delaySeconds` old,
 *   splitting off the last part as the engine does, and serves the result at once.
 */
export interface SpanStreamSettings {
  seed: number;
  seconds: number;
  /** operation → requests per second. */
  rates: Record<string, number>;
  target: number;
  intervalSeconds: number;
  delaySeconds: number;
  pollSeconds: number;
  exportDelaySeconds: number;
}

export const SPAN_STREAM_DEFAULTS: Omit<SpanStreamSettings, 'seed'> = {
  seconds: 90,
  rates: { 'GET /cart': 2_000, 'POST /pay': 200 },
  target: 10,
  intervalSeconds: 2,
  delaySeconds: 10,
  pollSeconds: 0.5,
  exportDelaySeconds: 5,
};

export interface ServedAt {
  /** Seconds since the start. */
  time: number;
  /** operation → probability served. */
  probabilities: Record<string, number>;
  /** operation → how the calculation folded the newest bucket in. */
  estimates: Record<string, string | undefined>;
}

export interface SpanStreamRun {
  /** One entry per calculation. */
  served: ServedAt[];
  /** operation → spans the application sampled, per whole second. */
  sampled: Record<string, number[]>;
}

const SERVICE = 'shop';
/** The virtual clock's step: fine enough for the 500 ms polls and the export timer. */
const TICK_MS = 10;
const SLOT_MS = 1000;

export function runSpanStream(overrides: Partial<SpanStreamSettings> & { seed: number }): SpanStreamRun {
  const s: SpanStreamSettings = { ...SPAN_STREAM_DEFAULTS, ...overrides };
  const random = new Random(s.seed);
  const operations = Object.keys(s.rates);
  const initial = JAEGER_DEFAULTS.initialSamplingProbability;
  const calculator = new SamplaneCalculator({
    ...JAEGER_DEFAULTS,
    targetSamplesPerSecond: s.target,
    maxOperations: 2000,
  });
  // Phases of the independent timers, in ms: they line up differently in every run.
  const phase = (periodMs: number) => Math.floor((random.next() * periodMs) / TICK_MS) * TICK_MS;
  const pollPhase = phase(s.pollSeconds * 1000);
  const flushPhase = phase(SLOT_MS);
  const tickPhase = phase(s.intervalSeconds * 1000);

  let served: Record<string, number> = {};
  /** What was served from when, oldest first. */
  const publications: { time: number; served: Record<string, number> }[] = [{ time: 0, served }];
  const servedAt = (op: string, time: number) => {
    let i = publications.length - 1;
    while (i > 0 && publications[i].time > time) i--;
    return publications[i].served[op] ?? initial;
  };
  let applied: Record<string, number> | undefined;
  const servedFor = (op: string) => served[op] ?? initial;
  let queue: { op: string; time: number }[] = [];
  let exportAt: number | undefined;
  /** Requests counted since the last drain: operation → { requests, spans, probabilities }. */
  let pending = new Map<string, { requests: number; spans: number; probabilities: Set<string> }>();
  /** Slot start (ms) → drained counts. */
  const slots = new Map<number, Map<string, { requests: number; spans: number; probabilities: Set<string> }>>();
  let lastChecked: number | undefined;
  const run: SpanStreamRun = { served: [], sampled: Object.fromEntries(operations.map((op) => [op, [] as number[]])) };

  const end = s.seconds * 1000;
  for (let now = 0; now < end; now += TICK_MS) {
    if (now >= pollPhase && (now - pollPhase) % (s.pollSeconds * 1000) === 0) applied = { ...served };
    const second = Math.floor(now / 1000);
    for (const op of operations) {
      const sampled = applied ? random.poisson((s.rates[op] * TICK_MS * (applied[op] ?? initial)) / 1000) : 0;
      (run.sampled[op][second] as number | undefined) ??= 0;
      run.sampled[op][second] += sampled;
      for (let i = 0; i < sampled; i++) queue.push({ op, time: now });
    }
    if (queue.length > 0) exportAt ??= now + s.exportDelaySeconds * 1000;
    if (exportAt !== undefined && now >= exportAt) {
      const newest = queue[queue.length - 1].time;
      for (const { op, time } of queue) {
        const p = servedAt(op, now - (newest - time));
        const counted = pending.get(op) ?? { requests: 0, spans: 0, probabilities: new Set<string>() };
        counted.requests += 1 / p;
        counted.spans++;
        counted.probabilities.add(formatProbability(p));
        pending.set(op, counted);
      }
      queue = [];
      exportAt = undefined;
    }
    if (now >= flushPhase && (now - flushPhase) % SLOT_MS === 0) {
      const slot = Math.floor(now / SLOT_MS) * SLOT_MS;
      const into = slots.get(slot) ?? new Map();
      for (const [op, c] of pending) {
        const existing = into.get(op);
        if (existing) {
          existing.requests += c.requests;
          existing.spans += c.spans;
          for (const p of c.probabilities) existing.probabilities.add(p);
        } else into.set(op, c);
      }
      slots.set(slot, into);
      pending = new Map();
    }
    if (now >= tickPhase && (now - tickPhase) % (s.intervalSeconds * 1000) === 0) {
      const readable = Math.floor((now - s.delaySeconds * 1000) / SLOT_MS) * SLOT_MS;
      if (lastChecked === undefined) {
        lastChecked = readable;
        continue;
      }
      if (readable <= lastChecked) continue;
      const recentFrom = readable - recentPartLength(readable - lastChecked, SLOT_MS);
      const bucket = bucketOf(slots, lastChecked, readable, recentFrom > lastChecked ? recentFrom : undefined);
      lastChecked = readable;
      calculator.addBucket(bucket);
      const result = calculator.calculate();
      served = { ...served, ...(result.probabilities[SERVICE] ?? {}) };
      publications.push({ time: now, served });
      const inputs = calculator.lastInputs()[SERVICE] ?? {};
      run.served.push({
        time: now / 1000,
        probabilities: Object.fromEntries(operations.map((op) => [op, servedFor(op)])),
        estimates: Object.fromEntries(operations.map((op) => [op, inputs[op]?.estimate])),
      });
    }
  }
  return run;
}

function bucketOf(
  slots: Map<number, Map<string, { requests: number; spans: number; probabilities: Set<string> }>>,
  from: number,
  to: number,
  recentFrom?: number,
): ThroughputBucket {
  const operations = new Map<string, { count: number; exact: number; errors: number; outcomes: number; recent: number; probabilities: readonly string[] }>();
  for (let slot = from; slot < to; slot += SLOT_MS) {
    for (const [op, c] of slots.get(slot) ?? []) {
      const t = operations.get(op) ?? { count: 0, exact: 0, errors: 0, outcomes: 0, recent: 0, probabilities: [] };
      t.count += c.requests;
      t.outcomes += c.spans;
      // The engine's recent part: the requests of the bucket's last slots, counted apart too.
      if (recentFrom !== undefined && slot >= recentFrom) t.recent += c.requests;
      t.probabilities = unionProbabilities(t.probabilities, c.probabilities);
      operations.set(op, t);
    }
  }
  const throughput: ServiceThroughput = new Map();
  if (operations.size > 0) throughput.set(SERVICE, operations);
  return { throughput, intervalSeconds: (to - from) / 1000, ...(recentFrom !== undefined && { recentSeconds: (to - recentFrom) / 1000 }) };
}
