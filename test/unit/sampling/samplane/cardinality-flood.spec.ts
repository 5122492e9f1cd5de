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

  it('reports no drops when under the cap', () => {
    const calculator = new SamplaneCalculator({ ...OPTIONS, maxOperations: 500 });
    tick(calculator, { users: flood(0) });
    expect(calculator.droppedOperations()).toEqual({});
  });
});
