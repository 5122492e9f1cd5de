import {
  MAX_RECORDED_PROBABILITIES,
  type OperationThroughput,
  type ThroughputRecord,
  mergeThroughput,
  recordProbability,
} from '../../../src/sampling/throughput';

/** Scenario: Jaeger TestAggregateThroughput: three collectors' records for one interval. */
const records = (): ThroughputRecord[] => [
  { service: 'svcA', operation: 'GET', count: 4, probabilities: ['0.1'] },
  { service: 'svcA', operation: 'GET', count: 4, probabilities: ['0.2'] },
  { service: 'svcA', operation: 'PUT', count: 5, probabilities: ['0.1'] },
  { service: 'svcB', operation: 'GET', count: 3, probabilities: ['0.1'] },
];

describe('mergeThroughput', () => {
  it('sums counts and unions probabilities per service and operation', () => {
    const merged = mergeThroughput(records());
    expect(merged).toEqual(
      new Map([
        [
          'svcA',
          new Map([
            ['GET', { count: 8, probabilities: ['0.1', '0.2'] }],
            ['PUT', { count: 5, probabilities: ['0.1'] }],
          ]),
        ],
        ['svcB', new Map([['GET', { count: 3, probabilities: ['0.1'] }]])],
      ]),
    );
  });

  it('leaves its input untouched (Jaeger TestAggregateThroughputInputsImmutability)', () => {
    const input = records();
    mergeThroughput(input);
    expect(input).toEqual(records());
  });

  it('does not cap the union: every replica may have kept ten different values', () => {
    const tenFrom = (start: number): string[] =>
      Array.from({ length: 10 }, (_, i) => (start + i).toString().padStart(6, '0'));
    const merged = mergeThroughput([
      { service: 'A', operation: 'GET', count: 1, probabilities: tenFrom(0) },
      { service: 'A', operation: 'GET', count: 1, probabilities: tenFrom(10) },
    ]);
    expect(merged.get('A')?.get('GET')?.probabilities.length).toBe(20);
  });
});

describe('recordProbability (scenario: Jaeger TestIncrementThroughput)', () => {
  it('keeps the first ten distinct probabilities of twenty', () => {
    const throughput: OperationThroughput = { count: 0, probabilities: [] };
    for (let i = 0; i < 20; i++) recordProbability(throughput, (0.001 * i).toFixed(6));
    expect(throughput.probabilities.length).toBe(MAX_RECORDED_PROBABILITIES);
    expect(throughput.probabilities.includes('0.009000')).toBe(true);
    expect(throughput.probabilities.includes('0.010000')).toBe(false);
  });

  it('keeps one entry for twenty equal probabilities', () => {
    const throughput: OperationThroughput = { count: 0, probabilities: [] };
    for (let i = 0; i < 20; i++) recordProbability(throughput, '0.001000');
    expect(throughput.probabilities).toEqual(['0.001000']);
  });
});
