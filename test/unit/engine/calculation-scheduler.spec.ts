import { EngineReplica, INTERVAL_MS, SharedState } from './support/engine-replicas';

/** A replica whose calculation ticks are recorded with the time they were asked for. */
function recordedReplica(shared: SharedState, name: string): { replica: EngineReplica; ticks: number[] } {
  const replica = new EngineReplica(name, shared);
  const ticks: number[] = [];
  const tick = replica.calculation.tick.bind(replica.calculation);
  jest.spyOn(replica.calculation, 'tick').mockImplementation(() => {
    ticks.push(shared.clock.now());
    return tick();
  });
  return { replica, ticks };
}

const gapsOf = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

describe('CalculationScheduler on a manual clock', () => {
  let shared: SharedState;

  beforeEach(() => {
    shared = new SharedState();
  });

  it('ticks once per calculation interval, each jittered by at most 5 %', async () => {
    const { replica, ticks } = recordedReplica(shared, 'a');
    const started = shared.clock.now();
    replica.start();

    await shared.clock.advance(20 * INTERVAL_MS);

    // The first tick is the one becoming leader asks for, at once.
    expect(ticks[0]).toBe(started);
    const scheduled = ticks.slice(1);
    expect(scheduled.length).toBeGreaterThanOrEqual(19);
    expect(scheduled.length).toBeLessThanOrEqual(21);
    for (const gap of gapsOf([started, ...scheduled])) {
      expect(gap).toBeGreaterThanOrEqual(0.95 * INTERVAL_MS);
      expect(gap).toBeLessThanOrEqual(1.05 * INTERVAL_MS);
    }
    // Jitter, so replicas started together do not tick in step.
    expect(new Set(gapsOf(scheduled)).size).toBeGreaterThan(1);
  });

  it('ticks on a follower too, which has nothing to do', async () => {
    new EngineReplica('a', shared).start();
    const { replica, ticks } = recordedReplica(shared, 'b');
    replica.start();

    await shared.clock.advance(3 * INTERVAL_MS);

    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(shared.store.saves.every((save) => save.holder === 'a')).toBe(true);
  });

  it('stops ticking once destroyed', async () => {
    const { replica, ticks } = recordedReplica(shared, 'a');
    replica.start();
    await shared.clock.advance(2 * INTERVAL_MS);
    const before = ticks.length;
    const timers = shared.clock.pending;

    replica.scheduler.onModuleDestroy();
    await shared.clock.advance(5 * INTERVAL_MS);

    expect(ticks).toHaveLength(before);
    expect(shared.clock.pending).toBe(timers - 1);
  });
});
