import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import { StateTable } from '../../../../src/sampling/samplane/state-table';
import type { ThroughputBucket } from '../../../../src/sampling/throughput';
import { OPTIONS, bucket } from './fixtures';

/** A bucket in which every operation had `errorRate` of its requests fail. */
function withErrors(counts: Record<string, Record<string, number>>, errorRate: number): ThroughputBucket {
  const b = bucket(counts);
  for (const operations of b.throughput.values()) {
    for (const t of operations.values()) {
      t.outcomes = t.count;
      t.errors = Math.round(t.count * errorRate);
    }
  }
  return b;
}

// Operations are rows of one table, and a forgotten operation's row goes to the next new one:
// nothing of the old operation's rate, noise or errors may show in the new one.
describe('samplane: an operation after a forgotten one', () => {
  const tuning = { idleRetentionBuckets: 2 };

  it('is estimated and boosted as by a calculator that never saw the forgotten one', () => {
    const reused = new SamplaneCalculator(OPTIONS, tuning);
    // A busy, noisy operation with an error incident, then quiet until forgotten.
    for (const [count, errorRate] of [
      [30_000, 0.01],
      [90_000, 0.01],
      [20_000, 0.01],
      [60_000, 0.4],
    ]) {
      reused.addBucket(withErrors({ A: { GET: count } }, errorRate));
      reused.calculate();
    }
    expect(reused.lastInputs().A.GET.errors?.boost).toBeDefined();
    for (let i = 0; i < 3; i++) {
      reused.addBucket(bucket({}));
      reused.calculate();
    }
    expect(reused.calculate().probabilities.A).toBeUndefined();

    const fresh = new SamplaneCalculator(OPTIONS, tuning);
    const seen: string[] = [];
    for (const [count, errorRate] of [
      [600, 0],
      [660, 0],
      [6_000, 0],
      [6_000, 0.5],
      [0, 0],
      [5_400, 0],
    ]) {
      const results = [reused, fresh].map((calculator) => {
        calculator.addBucket(withErrors(count > 0 ? { B: { POST: count } } : {}, errorRate));
        return { probabilities: calculator.calculate().probabilities, inputs: calculator.lastInputs() };
      });
      expect(results[0].probabilities.B).toEqual(results[1].probabilities.B);
      expect(results[0].inputs.B).toEqual(results[1].inputs.B);
      const inputs = results[0].inputs.B.POST;
      seen.push(`${inputs.estimate}${inputs.errors?.boost ? ', boosted' : ''}`);
    }
    // Seen for the first time, then a step up, an error incident, a pause and a return.
    expect(seen).toEqual(['first', 'step', 'step', 'step, boosted', 'idle', 'resumed, boosted']);
  });
});

describe('StateTable', () => {
  it('hands a removed row out again before growing, and keeps every row through growth', () => {
    const table = new StateTable(3, 2);
    const rows = [table.add(), table.add()];
    table.values.set([1, 2, 3], rows[0] * 3);
    table.values.set([4, 5, 6], rows[1] * 3);
    table.remove(rows[0]);
    expect(table.add()).toBe(rows[0]);
    const third = table.add();
    expect(new Set([...rows, third]).size).toBe(3);
    expect(table.size).toBe(3);
    expect([...table.values.subarray(rows[1] * 3, rows[1] * 3 + 3)]).toEqual([4, 5, 6]);
  });

  it("keeps each row's flags beside its numbers through growth and a reserve", () => {
    const table = new StateTable(2, 1, 3);
    const rows = Array.from({ length: 5 }, () => table.add());
    for (const row of rows) {
      table.values.set([row, -row], row * 2);
      table.flags.set([row, 1, 255 - row], row * 3);
    }
    table.reserve(100);
    expect(table.flags.length).toBe(300);
    for (const row of rows) {
      expect([...table.values.subarray(row * 2, row * 2 + 2)]).toEqual([row, -row]);
      expect([...table.flags.subarray(row * 3, row * 3 + 3)]).toEqual([row, 1, 255 - row]);
    }
  });

  it('reserves room for many rows at once, keeping the rows it holds, and then adds without growing', () => {
    const table = new StateTable(2, 1);
    const first = table.add();
    table.values.set([7, 8], first * 2);
    table.reserve(1000);
    const reserved = table.values;
    expect(reserved.length).toBe(2000);
    expect([...reserved.subarray(first * 2, first * 2 + 2)]).toEqual([7, 8]);
    for (let i = 1; i < 1000; i++) table.add();
    expect(table.values).toBe(reserved);
    table.reserve(10);
    expect(table.values).toBe(reserved);
  });
});
