import { JAEGER_DEFAULTS } from '../../../../src/sampling/adaptive-options';
import { JaegerCalculator } from '../../../../src/sampling/jaeger/jaeger-calculator';
import type { ThroughputBucket } from '../../../../src/sampling/throughput';

// Operator policies steer Jaeger's rule per operation: their own target, and bounds on the
// computed probability. Scenario: A.GET and A.PUT both at 10 sampled traces per second (600
// spans in 60 s) at the initial probability 0.001, default target 1.
const options = { ...JAEGER_DEFAULTS };

function bucket(): ThroughputBucket {
  const ops = new Map([
    ['GET', { count: 600, probabilities: ['0.001000'] }],
    ['PUT', { count: 600, probabilities: ['0.001000'] }],
  ]);
  return { throughput: new Map([['A', ops]]), intervalSeconds: 60 };
}

describe('JaegerCalculator with operation settings', () => {
  it('uses an operation’s own target: 0.001 × 5 / 10 = 0.0005, while the other follows the default 1', () => {
    const calculator = new JaegerCalculator(options);
    calculator.useSettings((service, operation) =>
      service === 'A' && operation === 'GET' ? { targetSamplesPerSecond: 5 } : undefined,
    );
    calculator.addBucket(bucket());
    const { probabilities } = calculator.calculate();
    expect(probabilities.A.GET).toBeCloseTo(0.0005, 12);
    expect(probabilities.A.PUT).toBeCloseTo(0.0001, 12);
  });

  it('clamps the computed probability into a policy’s [min, max]', () => {
    const calculator = new JaegerCalculator(options);
    calculator.useSettings((_service, operation) =>
      operation === 'GET' ? { minSamplingProbability: 0.0004 } : { maxSamplingProbability: 0.00005 },
    );
    calculator.addBucket(bucket());
    const { probabilities } = calculator.calculate();
    expect(probabilities.A.GET).toBe(0.0004);
    expect(probabilities.A.PUT).toBe(0.00005);
  });

  it('records the inputs behind each probability', () => {
    const calculator = new JaegerCalculator(options);
    calculator.useSettings(() => ({ targetSamplesPerSecond: 10 }));
    calculator.addBucket(bucket());
    calculator.calculate();
    expect(calculator.lastInputs().A.GET).toEqual({ previous: 0.001, target: 10, adaptive: true, withinTolerance: true, qps: 10 });
  });
});
