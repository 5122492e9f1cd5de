import { ThroughputAccumulator } from '../../../src/ingest/throughput-accumulator';

describe('ThroughputAccumulator', () => {
  it('sums what is added for the same operation, and keeps operations and services apart', () => {
    const accumulator = new ThroughputAccumulator(10);

    accumulator.add('A', 'GET', 1, 100, 0, '0.010000');
    accumulator.add('A', 'GET', 2, 0.5, 1, '0.010000');
    accumulator.add('A', 'PUT', 0, 3, 3, undefined);
    accumulator.add('B', 'GET', 5, 5, 0, '1.000000');

    expect(accumulator.drain()).toEqual([
      { service: 'A', operation: 'GET', sampled: 3, requests: 100.5, errors: 1, probabilities: ['0.010000'] },
      { service: 'A', operation: 'PUT', sampled: 0, requests: 3, errors: 3, probabilities: [] },
      { service: 'B', operation: 'GET', sampled: 5, requests: 5, errors: 0, probabilities: ['1.000000'] },
    ]);
  });

  it('keeps the requests reporters counted exactly apart from those scaled up from spans', () => {
    const accumulator = new ThroughputAccumulator(10);

    accumulator.add('A', 'GET', 1, 120, 0, '0.010000', 120);
    accumulator.add('A', 'GET', 1, 100, 0, '0.010000');

    expect(accumulator.drain()).toEqual([
      { service: 'A', operation: 'GET', sampled: 2, requests: 220, exact: 120, errors: 0, probabilities: ['0.010000'] },
    ]);
  });

  it('keeps an operation whose counts are all zero', () => {
    const accumulator = new ThroughputAccumulator(10);

    expect(accumulator.add('A', 'lowerbound', 0, 0, 0, '0.001000')).toBe(true);

    expect(accumulator.drain()).toEqual([
      { service: 'A', operation: 'lowerbound', sampled: 0, requests: 0, errors: 0, probabilities: ['0.001000'] },
    ]);
  });

  describe('the per-service cap on distinct operations', () => {
    it('refuses a new operation once the service has the maximum, and counts nothing for it', () => {
      const accumulator = new ThroughputAccumulator(2);
      expect(accumulator.add('A', 'one', 1, 1, 0, '0.500000')).toBe(true);
      expect(accumulator.add('A', 'two', 1, 1, 0, '0.500000')).toBe(true);

      expect(accumulator.add('A', 'three', 7, 70, 7, '0.100000')).toBe(false);

      expect(accumulator.drain()).toEqual([
        { service: 'A', operation: 'one', sampled: 1, requests: 1, errors: 0, probabilities: ['0.500000'] },
        { service: 'A', operation: 'two', sampled: 1, requests: 1, errors: 0, probabilities: ['0.500000'] },
      ]);
    });

    it('keeps counting operations it already holds', () => {
      const accumulator = new ThroughputAccumulator(1);
      accumulator.add('A', 'one', 1, 1, 0, undefined);
      accumulator.add('A', 'two', 1, 1, 0, undefined);

      expect(accumulator.add('A', 'one', 2, 2, 0, undefined)).toBe(true);

      expect(accumulator.drain()).toEqual([
        { service: 'A', operation: 'one', sampled: 3, requests: 3, errors: 0, probabilities: [] },
      ]);
    });

    it('applies to each service on its own', () => {
      const accumulator = new ThroughputAccumulator(1);
      accumulator.add('A', 'one', 1, 1, 0, undefined);

      expect(accumulator.add('A', 'two', 1, 1, 0, undefined)).toBe(false);
      expect(accumulator.add('B', 'two', 1, 1, 0, undefined)).toBe(true);
    });

    it('starts over after a drain', () => {
      const accumulator = new ThroughputAccumulator(1);
      accumulator.add('A', 'one', 1, 1, 0, undefined);
      expect(accumulator.add('A', 'two', 1, 1, 0, undefined)).toBe(false);

      accumulator.drain();

      expect(accumulator.add('A', 'two', 1, 1, 0, undefined)).toBe(true);
    });
  });

  describe('seen probabilities', () => {
    it('keeps the first ten distinct ones, as Jaeger collectors do', () => {
      const accumulator = new ThroughputAccumulator(10);
      const probabilities = Array.from({ length: 15 }, (_, i) => (0.001 * (i + 1)).toFixed(6));

      for (const p of probabilities) expect(accumulator.add('A', 'GET', 1, 1, 0, p)).toBe(true);

      const [record] = accumulator.drain();
      expect(record.probabilities).toEqual(probabilities.slice(0, 10));
      expect(record.sampled).toBe(15);
    });

    it('does not spend a place on a repeated one', () => {
      const accumulator = new ThroughputAccumulator(10);

      for (let i = 0; i < 20; i++) accumulator.add('A', 'GET', 1, 1, 0, '0.250000');
      accumulator.add('A', 'GET', 1, 1, 0, '0.500000');

      expect(accumulator.drain()[0].probabilities).toEqual(['0.250000', '0.500000']);
    });
  });

  describe('drain', () => {
    it('hands everything over and leaves the accumulator empty', () => {
      const accumulator = new ThroughputAccumulator(10);
      expect(accumulator.isEmpty).toBe(true);
      accumulator.add('A', 'GET', 1, 1, 0, undefined);
      expect(accumulator.isEmpty).toBe(false);

      expect(accumulator.drain()).toHaveLength(1);

      expect(accumulator.isEmpty).toBe(true);
      expect(accumulator.drain()).toEqual([]);
    });

    it("can take reports' windowed counts alone, holding the instants' for a later drain", () => {
      const accumulator = new ThroughputAccumulator(10, 8_000);
      accumulator.add('A', 'report', 1, 100, 0, undefined, 100, 100, 5_000);
      accumulator.add('A', 'span', 1, 1, 0, undefined);

      expect(accumulator.drain(false).map((r) => r.operation)).toEqual(['report']);
      accumulator.add('A', 'span', 1, 1, 0, undefined);

      expect(accumulator.drain()).toEqual([{ service: 'A', operation: 'span', sampled: 2, requests: 2, errors: 0, probabilities: [] }]);
      expect(accumulator.isEmpty).toBe(true);
    });

    it('admits either kind of counts for a name the other kind holds, at the cap', () => {
      const accumulator = new ThroughputAccumulator(1, 8_000);
      accumulator.add('A', 'GET', 1, 100, 0, undefined, 100, 100, 5_000);

      expect(accumulator.add('A', 'GET', 1, 1, 0, undefined)).toBe(true);
      expect(accumulator.drain()).toHaveLength(2);
    });

    it('counts held instants against the cap until they are drained', () => {
      const accumulator = new ThroughputAccumulator(1, 8_000);
      accumulator.add('A', 'span', 1, 1, 0, undefined);
      accumulator.drain(false);

      expect(accumulator.add('A', 'report', 1, 100, 0, undefined, 100, 100, 5_000)).toBe(false);
    });

    it('is not affected by later adds', () => {
      const accumulator = new ThroughputAccumulator(10);
      accumulator.add('A', 'GET', 1, 1, 0, '0.100000');
      const drained = accumulator.drain();

      accumulator.add('A', 'GET', 5, 5, 0, '0.200000');

      expect(drained).toEqual([
        { service: 'A', operation: 'GET', sampled: 1, requests: 1, errors: 0, probabilities: ['0.100000'] },
      ]);
    });
  });

  describe('report windows', () => {
    it('keeps the window a report covers, up to the limit it was made with', () => {
      const accumulator = new ThroughputAccumulator(10, 8_000);

      accumulator.add('A', 'five', 1, 100, 0, undefined, 100, 100, 5_000);
      accumulator.add('A', 'long', 1, 100, 0, undefined, 100, 100, 60_000);
      accumulator.add('A', 'instant', 1, 100, 0, undefined);

      const windows = Object.fromEntries(accumulator.drain().map((r) => [r.operation, r.windowMs]));
      expect(windows).toEqual({ five: 5_000, long: 8_000, instant: undefined });
    });

    it("ends a service's windows where its latest report's did, one end for all its operations", () => {
      const accumulator = new ThroughputAccumulator(10, 8_000);

      accumulator.add('A', 'GET', 1, 100, 0, undefined, 100, 100, 1_000, 5_100);
      accumulator.add('A', 'PUT', 1, 100, 0, undefined, 100, 100, 1_000, 5_180);
      accumulator.add('B', 'GET', 1, 100, 0, undefined, 100, 100, 1_000, 5_050);
      accumulator.add('B', 'span', 1, 1, 0, undefined);
      accumulator.add('C', 'GET', 1, 100, 0, undefined, 100, 100, 1_000);

      const ends = Object.fromEntries(accumulator.drain().map((r) => [`${r.service} ${r.operation}`, r.endMs]));
      // An instant has no window to end; a window whose end was not said ends at the flush.
      expect(ends).toEqual({ 'A GET': 5_180, 'A PUT': 5_180, 'B GET': 5_050, 'B span': undefined, 'C GET': undefined });
    });

    it('spreads nothing when the engine reads too soon for it (no limit)', () => {
      const accumulator = new ThroughputAccumulator(10);

      accumulator.add('A', 'GET', 1, 100, 0, undefined, 100, 100, 5_000);

      expect(accumulator.drain()[0].windowMs).toBeUndefined();
    });
  });
});

