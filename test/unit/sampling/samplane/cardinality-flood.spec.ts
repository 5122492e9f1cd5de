import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import { OPTIONS, tick } from './fixtures';

// Scenario: IDs leak into span names: service "users" reports 100 distinct operations with
// 1..100 requests each, with a cap of 5 operations per service. The busiest five are kept and
// the other 95 counted as dropped; another service is not affected.
function flood(offset: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`GET /users/${offset + i}`, i + 1]));
}

describe('samplane: a flood of operation names', () => {
  it('keeps the busiest operations up to the cap and counts the rest', () => {
    const calculator = new SamplaneCalculator({ ...OPTIONS, maxOperations: 5 });
    const { probabilities } = tick(calculator, { users: flood(0), orders: { GET: 600 } });
    expect(Object.keys(probabilities.users).sort()).toEqual(
      ['GET /users/95', 'GET /users/96', 'GET /users/97', 'GET /users/98', 'GET /users/99'].sort(),
    );
    expect(calculator.droppedOperations()).toEqual({ users: 95 });
    expect(probabilities.orders.GET).toBeDefined();
  });

  it('stays bounded as new names keep coming, preferring active operations to quiet ones', () => {
    const calculator = new SamplaneCalculator({ ...OPTIONS, maxOperations: 5 });
    for (let round = 0; round < 10; round++) {
      const { probabilities } = tick(calculator, { users: { ...flood(round * 100), 'GET /users': 60_000 } });
      expect(Object.keys(probabilities.users)).toHaveLength(5);
      expect(probabilities.users['GET /users']).toBeDefined();
      expect(probabilities.users[`GET /users/${round * 100 + 99}`]).toBeDefined();
    }
    expect(calculator.droppedOperations()).toEqual({ users: 100 });
  });

  it('over the cap, its quiet operations share one target while the busy ones keep theirs', () => {
    // 300 names at 0.05 requests/s (3 requests a bucket), each below the target of 1/s: alone,
    // each would be sampled fully. Held together to one target, the flood yields 1 trace/s.
    const calculator = new SamplaneCalculator({ ...OPTIONS, maxOperations: 100 });
    const names = (round: number) =>
      Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`GET /users/${i}`, 3 + ((i + round) % 2)]));
    let result = tick(calculator, { users: { ...names(0), 'GET /users': 3000 } });
    for (let round = 1; round < 4; round++) result = tick(calculator, { users: { ...names(round), 'GET /users': 3000 } });
    const { probabilities } = result;
    const inputs = calculator.lastInputs().users;
    const quiet = Object.keys(probabilities.users).filter((op) => op !== 'GET /users');
    expect(quiet).toHaveLength(99);
    const yielded = quiet.reduce((sum, op) => sum + probabilities.users[op] * (inputs[op].requestRate ?? 0), 0);
    expect(yielded).toBeGreaterThan(0.85);
    expect(yielded).toBeLessThan(1.15);
    expect(inputs[quiet[0]].sharedTarget).toBe(1);
    // The busy operation keeps its own target: 1 trace/s of its 50 requests/s.
    expect(probabilities.users['GET /users'] * 50).toBeCloseTo(1, 6);
    expect(inputs['GET /users'].sharedTarget).toBeUndefined();
  });

  it('under the cap, quiet operations keep their own targets', () => {
    const calculator = new SamplaneCalculator({ ...OPTIONS, maxOperations: 500 });
    const names = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`GET /users/${i}`, 3]));
    tick(calculator, { users: names });
    const { probabilities } = tick(calculator, { users: names });
    expect(probabilities.users['GET /users/7']).toBe(1);
    expect(calculator.lastInputs().users['GET /users/7'].sharedTarget).toBeUndefined();
  });

  it('reports no drops when under the cap', () => {
    const calculator = new SamplaneCalculator({ ...OPTIONS, maxOperations: 500 });
    tick(calculator, { users: flood(0) });
    expect(calculator.droppedOperations()).toEqual({});
  });
});
