import { type AttributeValue, probabilityFromTraceState, samplingFacts } from '../../../src/ingest/otlp/root-span';

/** A span's attribute lookup over a plain object. */
const tags =
  (attributes: Record<string, AttributeValue>) =>
  (key: string): AttributeValue =>
    attributes[key];

describe('probabilityFromTraceState', () => {
  // OpenTelemetry's consistent probability vectors: T = round((1 − p) · 2^56), hex, trailing zeros dropped.
  it.each([
    ['ot=th:0', 1],
    ['ot=th:8', 0.5],
    ['ot=th:c', 0.25],
    ['ot=th:e6666666666666', 0.1],
  ])('reads %s as %p', (traceState, probability) => {
    expect(probabilityFromTraceState(traceState)).toBe(probability);
  });

  it('reads a threshold written with its trailing zeros', () => {
    expect(probabilityFromTraceState('ot=th:80000000000000')).toBe(0.5);
    expect(probabilityFromTraceState('ot=th:00000000000000')).toBe(1);
  });

  it('reads the smallest probability a threshold can express', () => {
    expect(probabilityFromTraceState('ot=th:ffffffffffffff')).toBe(2 ** -56);
    expect(probabilityFromTraceState('ot=th:ffffffffffffff')).toBeGreaterThan(0);
  });

  it.each([
    ['ot=p:0', 1],
    ['ot=p:1', 0.5],
    ['ot=p:3', 0.125],
    ['ot=p:10', 2 ** -10],
    ['ot=p:63', 2 ** -63],
  ])('reads the older form %s as %p', (traceState, probability) => {
    expect(probabilityFromTraceState(traceState)).toBe(probability);
  });

  it('finds the ot member among other vendors and other ot fields', () => {
    expect(probabilityFromTraceState('congo=t61rcWkgMzE,ot=th:c,rojo=00f067aa0ba902b7')).toBe(0.25);
    expect(probabilityFromTraceState('congo=x, ot=rv:abcdef01234567;th:8')).toBe(0.5);
    expect(probabilityFromTraceState('ot=rv:abcdef01234567;p:2')).toBe(0.25);
  });

  it('does not read a member whose key merely ends in "ot"', () => {
    expect(probabilityFromTraceState('foot=th:8')).toBeUndefined();
  });

  it.each([
    ['no ot member', 'congo=t61rcWkgMzE'],
    ['an empty tracestate', ''],
    ['ot without a threshold', 'ot=rv:abcdef01234567'],
    ['an empty threshold', 'ot=th:'],
    ['a threshold longer than 14 digits', 'ot=th:123456789abcdef'],
    ['a threshold that is not hex', 'ot=th:0x8'],
    ['upper-case hex', 'ot=th:C'],
    ['a negative threshold', 'ot=th:-8'],
    ['a fractional exponent', 'ot=p:1.5'],
    ['a negative exponent', 'ot=p:-1'],
    ['an exponent above 63', 'ot=p:64'],
    ['an empty exponent', 'ot=p:'],
    ['a padded exponent', 'ot=p: 3'],
    ['a hex exponent', 'ot=p:0x3'],
    ['an exponent with an exponent', 'ot=p:1e1'],
  ])('gives no probability for %s (unknown, never 1)', (_, traceState) => {
    expect(probabilityFromTraceState(traceState)).toBeUndefined();
  });
});

describe('samplingFacts', () => {
  describe('Jaeger sampler tags', () => {
    it.each([
      ['sampler.type', 'sampler.param'],
      ['jaeger.sampler.type', 'jaeger.sampler.param'],
    ])('counts a probabilistic span (%s) at its param', (typeKey, paramKey) => {
      expect(samplingFacts(tags({ [typeKey]: 'probabilistic', [paramKey]: 0.25 }), undefined)).toEqual({
        probability: 0.25,
        counts: true,
      });
    });

    it('reads a param sent as a string, or as an integer', () => {
      expect(samplingFacts(tags({ 'sampler.type': 'probabilistic', 'sampler.param': '0.001' }), undefined)).toEqual({
        probability: 0.001,
        counts: true,
      });
      expect(samplingFacts(tags({ 'sampler.type': 'probabilistic', 'sampler.param': 1 }), undefined)).toEqual({
        probability: 1,
        counts: true,
      });
    });

    it.each([
      ['lowerbound', 0.001, 0.001],
      ['const', 1, 1],
      ['const', 0, 0],
      ['ratelimiting', 0.5, 0.5],
    ])('does not count a %s span, but keeps its probability %p', (type, param, probability) => {
      expect(samplingFacts(tags({ 'sampler.type': type, 'sampler.param': param }), undefined)).toEqual({
        probability,
        counts: false,
      });
    });

    it('keeps no probability from a rate limiter’s traces per second', () => {
      expect(samplingFacts(tags({ 'sampler.type': 'ratelimiting', 'sampler.param': 2 }), undefined)).toEqual({
        probability: undefined,
        counts: false,
      });
    });

    it('counts a probabilistic span whose param is out of range, at an unknown probability', () => {
      expect(samplingFacts(tags({ 'sampler.type': 'probabilistic', 'sampler.param': 1.5 }), undefined)).toEqual({
        probability: undefined,
        counts: true,
      });
    });

    it.each([
      ['an unknown sampler type', { 'sampler.type': 'remote', 'sampler.param': 0.5 }],
      ['an empty sampler type', { 'sampler.type': '', 'sampler.param': 0.5 }],
      ['a boolean param (jaeger-client const)', { 'sampler.type': 'const', 'sampler.param': true }],
      ['a param that is not a number', { 'sampler.type': 'probabilistic', 'sampler.param': 'half' }],
      ['no param', { 'sampler.type': 'probabilistic' }],
    ])('does not count a span with %s', (_, attributes) => {
      expect(samplingFacts(tags(attributes), undefined).counts).toBe(false);
    });

    it('prefers the tags to the tracestate', () => {
      expect(samplingFacts(tags({ 'sampler.type': 'probabilistic', 'sampler.param': 0.25 }), 'ot=th:8')).toEqual({
        probability: 0.25,
        counts: true,
      });
    });
  });

  describe('spans without sampler tags (OpenTelemetry SDKs)', () => {
    it('counts them at the tracestate threshold', () => {
      expect(samplingFacts(tags({}), 'ot=th:c')).toEqual({ probability: 0.25, counts: true });
      expect(samplingFacts(tags({}), 'ot=p:1')).toEqual({ probability: 0.5, counts: true });
    });

    it('counts them at an unknown probability without a readable threshold', () => {
      expect(samplingFacts(tags({}), undefined)).toEqual({ probability: undefined, counts: true });
      expect(samplingFacts(tags({}), 'ot=th:zz')).toEqual({ probability: undefined, counts: true });
      expect(samplingFacts(tags({ 'http.method': 'GET' }), 'vendor=1')).toEqual({ probability: undefined, counts: true });
    });

    it('counts them at a sampler param given without a type', () => {
      expect(samplingFacts(tags({ 'sampler.param': 0.1 }), 'ot=th:8')).toEqual({ probability: 0.1, counts: true });
    });
  });
});
