import { InputColumns } from '../../../../src/sampling/input-columns';
import type { OperationInputs } from '../../../../src/sampling/calculator';
import { ErrorTracker } from '../../../../src/sampling/samplane/error-boost';
import { RestoredErrors } from '../../../../src/sampling/samplane/restored-errors';

const boost = { probability: 0.3, targetErrorSamplesPerSecond: 1, maxSamplingProbability: 0.5, sinceAnomalySeconds: 20, remainingSeconds: 280, anomalous: true };
const recorded: Record<string, OperationInputs> = {
  GET: { previous: 0.1, target: 1, adaptive: true, withinTolerance: false, errors: { errorRate: 0.02, errorsPerSecond: 1, baselineErrorRate: 0.01, baselineWeight: 4000 } },
  PUT: { previous: 0.1, target: 1, adaptive: true, withinTolerance: false, errors: { errorRate: 0.3, errorsPerSecond: 9, baselineErrorRate: 0.02, baselineWeight: 900, boost } },
  // Traffic but no outcomes seen: no error state to restore.
  DEL: { previous: 0.1, target: 1, adaptive: true, withinTolerance: false },
};

/** A tracker's whole state, as the numbers it keeps. */
function stateOf(fill: (tracker: ErrorTracker) => void): number[] {
  const tracker = new ErrorTracker();
  fill(tracker);
  const other = new ErrorTracker();
  other.copyFrom(tracker);
  return [...(other as unknown as { table: { values: Float64Array } }).table.values];
}

describe('error state restored for a new leader', () => {
  it('makes each operation’s state from its columns when first asked, as loading its inputs does', () => {
    const restored = new RestoredErrors();

    restored.setAll('S', InputColumns.fromRecord(recorded), 12);

    expect(['GET', 'PUT', 'DEL', 'POST'].map((op) => restored.has('S', op))).toEqual([true, true, false, false]);
    expect(restored.has('other', 'GET')).toBe(false);
    for (const op of ['GET', 'PUT']) {
      const loaded = stateOf((tracker) => tracker.load(recorded[op].errors!, 12));
      expect(stateOf((tracker) => restored.copyTo('S', op, tracker))).toEqual(loaded);
    }
    // Nothing to restore leaves the tracker as it was.
    const fresh = stateOf(() => undefined);
    expect(stateOf((tracker) => restored.copyTo('S', 'DEL', tracker))).toEqual(fresh);
  });

  it('keeps back the state of an operation forgotten within the calculation', () => {
    const restored = new RestoredErrors();
    restored.setAll('S', InputColumns.fromRecord(recorded), 12);
    const seen = new ErrorTracker();
    expect(restored.copyTo('S', 'GET', seen)).toBe(true);
    seen.observeCounts(1000, 1000, 500, 10);

    restored.keep('S', 'GET', seen);

    expect(stateOf((tracker) => restored.copyTo('S', 'GET', tracker))).toEqual(stateOf((tracker) => tracker.copyFrom(seen)));
  });

  it('says whether it had state to give', () => {
    const restored = new RestoredErrors();
    restored.setAll('S', InputColumns.fromRecord(recorded), 12);
    expect(['GET', 'PUT', 'DEL', 'POST'].map((op) => restored.copyTo('S', op, new ErrorTracker()))).toEqual([true, true, false, false]);
  });

  it('lets a service’s columns go only once every operation of them has its state, keeping state kept back', () => {
    const restored = new RestoredErrors();
    restored.setAll('S', InputColumns.fromRecord(recorded), 12);
    restored.setAll('T', InputColumns.fromRecord(recorded), 12);
    const kept = new ErrorTracker();
    restored.copyTo('S', 'PUT', kept);
    restored.keep('S', 'PUT', kept);

    restored.release('S', (op) => op !== 'DEL');
    restored.release('T', () => true);
    expect(restored.services()).toEqual(['S']);
    expect(restored.has('T', 'GET')).toBe(false);
    restored.release('S', () => true);

    expect(restored.services()).toEqual([]);
    expect([restored.has('S', 'GET'), restored.has('S', 'PUT')]).toEqual([false, true]);
    expect(stateOf((tracker) => restored.copyTo('S', 'PUT', tracker))).toEqual(stateOf((tracker) => tracker.copyFrom(kept)));
  });

  it('takes state given an operation at a time, and forgets everything when cleared', () => {
    const restored = new RestoredErrors();
    restored.set('S', 'GET', recorded.GET.errors!, 3);
    restored.setAll('T', InputColumns.fromRecord(recorded), 3);

    expect(stateOf((tracker) => restored.copyTo('S', 'GET', tracker))).toEqual(stateOf((tracker) => tracker.load(recorded.GET.errors!, 3)));
    restored.clear();
    expect([restored.has('S', 'GET'), restored.has('T', 'PUT')]).toEqual([false, false]);
  });
});
