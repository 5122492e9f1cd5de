import type { SavedRows } from '../../../../src/sampling/calculator';
import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import { ERROR_BOOST_DEFAULTS } from '../../../../src/sampling/samplane/samplane-options';
import { decodeStateShard, encodeStateShard } from '../../../../src/store/state-codec';
import type { ThroughputBucket } from '../../../../src/sampling/throughput';
import { OPTIONS, type Counts, bucket } from './fixtures';

/** Requests and errors of an operation in a bucket, as `tick` takes them (see `withErrors`). */
type Counted = Record<string, Record<string, number | [number, number]>>;

/** The fixture's bucket, with errors where a count is `[requests, errors]`. */
function withErrors(counts: Counted, seconds = 60): ThroughputBucket {
  // Built from entries: a service named __proto__ is a key, not the object's prototype.
  const requests: Counts = Object.fromEntries(
    Object.entries(counts).map(([service, operations]) => [
      service,
      Object.fromEntries(Object.entries(operations).map(([operation, count]) => [operation, Array.isArray(count) ? count[0] : count])),
    ]),
  );
  const made = bucket(requests, seconds);
  for (const [service, operations] of Object.entries(counts)) {
    for (const [operation, count] of Object.entries(operations)) {
      if (Array.isArray(count)) made.throughput.get(service)!.get(operation)!.errors = count[1];
    }
  }
  return made;
}

function tickWith(calculator: SamplaneCalculator, counts: Counted) {
  calculator.addBucket(withErrors(counts));
  return calculator.calculate().probabilities;
}

/**
 * A fleet whose operations move: steady ones, one stepping up tenfold at bucket 6, one going
 * quiet at bucket 4 and back at 14, one seen only in the odd buckets, one new at bucket 9, one
 * dropping at bucket 7 and silent from 8 (the rise its drop caused is undone by the silence),
 * one failing 1 % of its requests and 30 % in buckets 6–9 (boosted, then cooling down).
 */
function countsAt(bucket: number): Counted {
  const noise = (i: number) => ((bucket * 7919 + i * 104729) % 97) - 48;
  const a: Record<string, number | [number, number]> = { GET: 6000 + noise(1), PUT: 600 + noise(2), STEP: bucket < 6 ? 300 + noise(3) : 3000 + noise(3) };
  a.ERR = [3000, bucket >= 6 && bucket < 10 ? 900 : 30 + (noise(8) % 5)];
  if (bucket < 4 || bucket >= 14) a.QUIET = 1200 + noise(4);
  if (bucket % 2 === 1) a.ODD = 90;
  if (bucket < 8) a.DROP = bucket < 7 ? 1200 + noise(7) : 240;
  const b: Record<string, number> = { '/': 30_000 + 10 * noise(5) };
  if (bucket >= 9) b.NEW = 500 + noise(6);
  return { A: a, ['__proto__']: b };
}

/** A calculator after `buckets` ticks, and what a save at that point holds. */
function leaderAfter(buckets: number) {
  const leader = new SamplaneCalculator(OPTIONS);
  let probabilities = {};
  for (let i = 0; i < buckets; i++) probabilities = tickWith(leader, countsAt(i));
  const saved = leader.state.saved(buckets);
  const rows = new Map<string, SavedRows>();
  for (const service of Object.keys(probabilities)) rows.set(service, saved.of(service)!);
  return { leader, probabilities: structuredClone(probabilities), inputs: structuredClone(leader.lastInputs()), rows };
}

function successorOf(saved: ReturnType<typeof leaderAfter>): SamplaneCalculator {
  const successor = new SamplaneCalculator(OPTIONS);
  // The engine gives it no inputs: the rows hold the error state too.
  successor.restore(saved.probabilities);
  for (const [service, rows] of saved.rows) expect(successor.state.restoreService(service, rows)).toBe(true);
  return successor;
}

describe('samplane: the state a leader saves, taken up by the next', () => {
  it('goes on exactly as the leader would have: the same probabilities, estimates and error boosts at every calculation after', () => {
    const saved = leaderAfter(8);
    // Saved mid-incident: the boost is on, and goes on in the successor.
    expect(saved.inputs.A.ERR.errors?.boost?.anomalous).toBe(true);
    const successor = successorOf(saved);
    for (let i = 8; i < 20; i++) {
      expect(tickWith(successor, countsAt(i))).toEqual(tickWith(saved.leader, countsAt(i)));
      expect(successor.lastInputs()).toEqual(saved.leader.lastInputs());
    }
    expect(saved.leader.lastInputs().A.ERR.errors?.boost).toBeUndefined();
  });

  it('counts time no bucket covers in a boost\'s cooldown, and in nothing else', () => {
    // Bucket 10 is the first without the incident: the boost is cooling down.
    const saved = leaderAfter(11);
    expect(saved.inputs.A.ERR.errors?.boost?.anomalous).toBe(false);
    const successor = successorOf(saved);
    const untouched = successorOf(saved);
    // The counts of a cooldown's time expired before the successor read them.
    successor.unread(ERROR_BOOST_DEFAULTS.cooldownSeconds);
    tickWith(successor, countsAt(11));
    tickWith(untouched, countsAt(11));
    expect(untouched.lastInputs().A.ERR.errors?.boost).toBeDefined();
    expect(successor.lastInputs().A.ERR.errors?.boost).toBeUndefined();
    // The estimates and every other operation are as without the gap.
    const { ERR: boosted, ...rest } = successor.lastInputs().A;
    const { ERR: cooling, ...restUntouched } = untouched.lastInputs().A;
    expect(rest).toEqual(restUntouched);
    expect(boosted.requestRate).toBe(cooling.requestRate);
    expect(boosted.errors?.baselineErrorRate).toBe(cooling.errors?.baselineErrorRate);
  });

  it('saves every row whole: what the successor would save is what it took up', () => {
    const saved = leaderAfter(11);
    const successor = successorOf(saved);
    for (const [service, rows] of saved.rows) expect(successor.state.saved(0).of(service)).toEqual(rows);
    // A quiet operation and one seen every other bucket are in it too, not only the active ones.
    expect(saved.rows.get('A')?.ops).toEqual(expect.arrayContaining(['QUIET', 'ODD']));
  });

  it('without it, the successor starts each estimate over at its first bucket', () => {
    const saved = leaderAfter(8);
    const successor = new SamplaneCalculator(OPTIONS);
    successor.restore(saved.probabilities, { inputs: saved.inputs, elapsedSeconds: 0 });
    tickWith(successor, countsAt(8));
    expect(successor.lastInputs().A.GET.estimate).toBe('first');
  });

  it('refuses rows of another shape, making none', () => {
    const saved = leaderAfter(3);
    const successor = new SamplaneCalculator(OPTIONS);
    const rows = saved.rows.get('A')!;
    expect(successor.state.restoreService('A', { ...rows, numbers: rows.numbers.subarray(1) })).toBe(false);
    expect(successor.state.restoreService('A', { ...rows, flags: new Uint8Array(rows.flags.length + 1) })).toBe(false);
    expect(successor.state.saved(0).of('A')).toBeUndefined();
  });

  it('is stored as bytes and read back bit for bit, NaN and service names such as __proto__ included', () => {
    const saved = leaderAfter(5);
    const decoded = decodeStateShard(encodeStateShard([...saved.rows]));
    expect(decoded.map(([service]) => service)).toEqual([...saved.rows.keys()]);
    expect(decoded.map(([service]) => service).sort()).toEqual(['A', '__proto__']);
    for (const [service, rows] of decoded) expect(rows).toEqual(saved.rows.get(service));
    // Not every number is set yet after five buckets (an operation raised from nothing, say).
    expect(decoded.some(([, rows]) => rows.numbers.some(Number.isNaN))).toBe(true);
    // Read from any offset of a buffer (Redis's replies are not aligned).
    const bytes = encodeStateShard([...saved.rows]);
    const shifted = Buffer.concat([Buffer.alloc(3), bytes]).subarray(3);
    expect(decodeStateShard(shifted)).toEqual(decoded);
  });

  it('fails to read a stored shard that is not whole, rather than giving part of it', () => {
    const bytes = encodeStateShard([['A', leaderAfter(2).rows.get('A')!]]);
    expect(() => decodeStateShard(bytes.subarray(0, -1))).toThrow(/rows cut short/);
    expect(() => decodeStateShard(Buffer.concat([bytes, Buffer.alloc(8)]))).toThrow(/rows cut short/);
    expect(() => decodeStateShard(bytes.subarray(0, 10))).toThrow(/header cut short/);
    expect(() => decodeStateShard(bytes.subarray(0, 2))).toThrow(/cut short/);
    const header = Buffer.from(JSON.stringify({ numbers: 10, services: [] }));
    const noWidths = Buffer.concat([Buffer.from(Uint32Array.of(header.length).buffer), header]);
    expect(() => decodeStateShard(noWidths)).toThrow(/without widths/);
  });

  it('stores a column of one value once per service, and reads back every row bit for bit', () => {
    const ops = Array.from({ length: 300 }, (_, i) => `op-${i}`);
    // Columns: varying, NaN, one number, Infinity, -0, zero but one -0.
    const numbers = Float64Array.from(ops.flatMap((_, i) => [i / 7, NaN, 2.5, Infinity, -0, i === 9 ? -0 : 0]));
    const rows: SavedRows = { ops, numbers, flags: Uint8Array.from(ops.flatMap((_, i) => [i % 3, 1])) };
    const single: SavedRows = { ops: ['only'], numbers: Float64Array.of(1, 2, 3, 4, 5, 6), flags: Uint8Array.of(0, 1) };

    const bytes = encodeStateShard([['wide', rows], ['one', single]]);
    const decoded = decodeStateShard(bytes);

    expect(decoded).toEqual([['wide', rows], ['one', single]]);
    const signs = (block: Float64Array) => [...block].map((value) => Object.is(value, -0));
    expect(signs(decoded[0][1].numbers)).toEqual(signs(numbers));
    // NaN and 2.5 once; the varying column, Infinity, -0 and the mixed zeros in every row.
    const header = bytes.readUInt32LE(0);
    expect(bytes.length).toBe(Math.ceil((4 + header) / 8) * 8 + 300 * 4 * 8 + 6 * 8 + 301 * 2);
  });

  it('reads a shard whose header names no column of one value, as versions before stored every column', () => {
    const header = Buffer.from(JSON.stringify({ numbers: 2, flags: 1, services: [['A', ['a', 'b']]] }));
    const start = Math.ceil((4 + header.length) / 8) * 8;
    const bytes = Buffer.alloc(start + 2 * 2 * 8 + 2);
    bytes.writeUInt32LE(header.length, 0);
    header.copy(bytes, 4);
    Buffer.from(Float64Array.of(1, 2, 3, 4).buffer).copy(bytes, start);
    bytes.set([7, 8], start + 32);

    expect(decodeStateShard(bytes)).toEqual([['A', { ops: ['a', 'b'], numbers: Float64Array.of(1, 2, 3, 4), flags: Uint8Array.of(7, 8) }]]);
  });

  it.each([
    ['a column past the row', { 6: 1 }],
    ['a value that is no number', { 1: 'NaN' }],
    ['not an object', [1]],
  ])('refuses a shard whose columns of one value name %s', (_case, same) => {
    const rows: SavedRows = { ops: ['a', 'b'], numbers: Float64Array.of(1, 2, 3, 1, 5, 6), flags: Uint8Array.of(0, 0) };
    const bytes = encodeStateShard([['A', rows]]);
    const length = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString('utf8', 4, 4 + length));
    expect(header.services[0][2]).toEqual({ 0: 1 });
    header.services[0][2] = same;
    const text = Buffer.from(JSON.stringify(header));
    const start = Math.ceil((4 + text.length) / 8) * 8;
    const damaged = Buffer.alloc(start + bytes.length - Math.ceil((4 + length) / 8) * 8);
    damaged.writeUInt32LE(text.length, 0);
    text.copy(damaged, 4);
    bytes.copy(damaged, start, Math.ceil((4 + length) / 8) * 8);
    expect(() => decodeStateShard(damaged)).toThrow(/columns of one value/);
  });

  it('refuses to store services whose rows are of different widths', () => {
    const rows = leaderAfter(2).rows.get('A')!;
    const narrower = { ops: rows.ops, numbers: rows.numbers.subarray(0, rows.numbers.length - rows.ops.length), flags: rows.flags };
    expect(() => encodeStateShard([['A', rows], ['B', narrower]])).toThrow(/another width/);
  });
});
