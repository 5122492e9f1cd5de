import { JAEGER_DEFAULTS } from '../../../../src/sampling/adaptive-options';
import { JaegerCalculator } from '../../../../src/sampling/jaeger/jaeger-calculator';
import { qpsOf, qpsRecords } from '../../../../src/sampling/input-columns';
import type { ThroughputBucket } from '../../../../src/sampling/throughput';

const options = { ...JAEGER_DEFAULTS };

function bucket(ops: Record<string, [count: number, probabilities: string[]]>, intervalSeconds = 60): ThroughputBucket {
  const throughput = new Map<string, Map<string, { count: number; probabilities: readonly string[] }>>();
  for (const [key, [count, probabilities]] of Object.entries(ops)) {
    const [service, operation] = key.split('/');
    if (!throughput.has(service)) throughput.set(service, new Map());
    throughput.get(service)?.set(operation, { count, probabilities });
  }
  return { throughput, intervalSeconds };
}

describe('JaegerCalculator', () => {
  it('is the jaeger algorithm', () => {
    expect(new JaegerCalculator(options).algorithm).toBe('jaeger');
  });

  it('refuses bucket counts below 1 (Jaeger TestConstructorFailure)', () => {
    expect(() => new JaegerCalculator({ ...options, aggregationBuckets: 0 })).toThrow(/aggregationBuckets/);
    expect(() => new JaegerCalculator({ ...options, calculationBuckets: 0 })).toThrow(/calculationBuckets/);
    expect(() => new JaegerCalculator({ ...options, calculationBuckets: 1.5 })).toThrow(/calculationBuckets/);
    expect(() => new JaegerCalculator({ ...options, increaseCap: 0 })).toThrow(/increaseCap/);
  });

  it('computes nothing before any bucket', () => {
    expect(new JaegerCalculator(options).calculate()).toEqual({ probabilities: {}, qps: {} });
  });

  it('the worked example: 3 spans in 60 s at 0.001 → 0.002, QPS 0.05', () => {
    const calculator = new JaegerCalculator(options);
    calculator.addBucket(bucket({ 'A/GET': [3, ['0.001000']] }));
    const { probabilities, qps } = calculator.calculate();
    expect({ probabilities, qps: qpsRecords(qps) }).toEqual({ probabilities: { A: { GET: 0.002 } }, qps: { A: { GET: 0.05 } } });
  });

  it('keeps at most aggregationBuckets buckets, dropping the oldest (Jaeger TestPrependBucket)', () => {
    const calculator = new JaegerCalculator({ ...options, aggregationBuckets: 1, calculationBuckets: 5 });
    calculator.addBucket(bucket({ 'A/GET': [60, []] }));
    calculator.addBucket(bucket({ 'A/PUT': [120, []] }));
    expect(qpsRecords(calculator.calculate().qps)).toEqual({ A: { PUT: 2 } });
  });

  it('drops operations absent from every bucket; if they return they start from the initial probability', () => {
    const calculator = new JaegerCalculator({ ...options, aggregationBuckets: 1 });
    calculator.addBucket(bucket({ 'A/GET': [0, ['0.001000']] }));
    expect(calculator.calculate().probabilities).toEqual({ A: { GET: 0.002 } });
    calculator.addBucket(bucket({ 'A/PUT': [60, ['0.001000']] }));
    expect(calculator.calculate().probabilities).toEqual({ A: { PUT: 0.001 } });
    calculator.addBucket(bucket({ 'A/GET': [0, ['0.002000']] }));
    // 0.002 would be doubled to 0.004 had GET been remembered; from the initial 0.001 it is 0.002.
    expect(calculator.calculate().probabilities).toEqual({ A: { GET: 0.002 } });
  });

  it('continues from restored probabilities instead of the initial one', () => {
    const calculator = new JaegerCalculator(options);
    calculator.restore({ A: { GET: 0.05 } });
    calculator.addBucket(bucket({ 'A/GET': [6, ['0.050000']] }));
    // 0.1 QPS against a target of 1: doubled (capped) from 0.05.
    expect(calculator.calculate().probabilities).toEqual({ A: { GET: 0.1 } });
  });

  it('does not adapt restored operations whose clients report something else', () => {
    const calculator = new JaegerCalculator(options);
    calculator.restore({ A: { GET: 0.05 } });
    calculator.addBucket(bucket({ 'A/GET': [6, ['1.000000']] }));
    expect(calculator.calculate().probabilities).toEqual({ A: { GET: 0.05 } });
  });

  it('lets a follower collect buckets and compute from all of them once leader', () => {
    const calculator = new JaegerCalculator({ ...options, calculationBuckets: 3 });
    calculator.addBucket(bucket({ 'A/GET': [60, ['0.001000']] }));
    calculator.addBucket(bucket({ 'A/GET': [120, ['0.001000']] }));
    calculator.addBucket(bucket({ 'A/GET': [180, ['0.001000']] }));
    expect(qpsOf(calculator.calculate().qps.A, 'GET')).toBeCloseTo((81 * 3 + 16 * 2 + 1) / 98, 14);
  });

  it('neither keeps nor is changed through the objects it is given or returns', () => {
    const calculator = new JaegerCalculator(options);
    const seed = { A: { GET: 0.05 } };
    calculator.restore(seed);
    seed.A.GET = 0.9;
    calculator.addBucket(bucket({ 'A/GET': [6, ['0.050000']] }));
    const first = calculator.calculate();
    first.probabilities.A.GET = 0.7;
    calculator.addBucket(bucket({ 'A/GET': [6, ['0.100000']] }));
    expect(calculator.calculate().probabilities).toEqual({ A: { GET: 0.2 } });
  });

  it('treats names such as __proto__ and constructor as ordinary names', () => {
    const calculator = new JaegerCalculator(options);
    calculator.addBucket(bucket({ '__proto__/constructor': [60, []], 'constructor/toString': [0, []] }));
    const { probabilities } = calculator.calculate();
    expect(Object.keys(probabilities)).toEqual(['__proto__', 'constructor']);
    expect(probabilities['__proto__'].constructor).toBe(0.001);
    expect(probabilities['constructor'].toString).toBe(0.002);
    expect(JSON.parse(JSON.stringify(probabilities))).toEqual(
      JSON.parse('{"__proto__":{"constructor":0.001},"constructor":{"toString":0.002}}'),
    );
  });
});
