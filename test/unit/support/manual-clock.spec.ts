import { ManualClock, ProcessClock } from '../../support/manual-clock';

describe('ManualClock', () => {
  it('runs due timers in time order, each at its own time, and re-arms intervals', async () => {
    // Timers due at the same time run in the order they were armed, as Node runs them.
    const clock = new ManualClock(0);
    const runs: string[] = [];
    clock.setInterval(() => runs.push(`every 40 at ${clock.now()}`), 40);
    clock.setTimeout(() => runs.push(`once at ${clock.now()}`), 50);
    clock.setTimeout(() => runs.push(`also at ${clock.now()}`), 80);

    await clock.advance(100);

    expect(runs).toEqual(['every 40 at 40', 'once at 50', 'also at 80', 'every 40 at 80']);
    expect(clock.now()).toBe(100);
  });

  it('lets the work a timer starts settle before the next timer runs', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve()
        .then(() => undefined)
        .then(() => seen.push('chain done'));
    }, 10);
    clock.setTimeout(() => seen.push('next timer'), 10);

    await clock.advance(10);

    expect(seen).toEqual(['chain done', 'next timer']);
  });

  it('runs a timer set by a timer when it falls due within the same advance', async () => {
    const clock = new ManualClock(0);
    const at: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => at.push(clock.now()), 30), 30);

    await clock.advance(100);

    expect(at).toEqual([60]);
  });

  it('never runs a cancelled timer', async () => {
    const clock = new ManualClock(0);
    let runs = 0;
    const cancelInterval = clock.setInterval(() => runs++, 10);
    const cancelTimeout = clock.setTimeout(() => runs++, 5);
    cancelTimeout();
    await clock.advance(25);
    cancelInterval();
    await clock.advance(100);

    expect(runs).toBe(2);
    expect(clock.pending).toBe(0);
  });
});

describe('ProcessClock', () => {
  it('shares the time but stops every timer of its process when killed', async () => {
    const clock = new ManualClock(0);
    const dying = new ProcessClock(clock);
    const living = new ProcessClock(clock);
    const runs = { dying: 0, living: 0 };
    dying.setInterval(() => runs.dying++, 10);
    dying.setTimeout(() => runs.dying++, 50);
    living.setInterval(() => runs.living++, 10);

    await clock.advance(20);
    dying.kill();
    dying.setTimeout(() => runs.dying++, 1);
    await clock.advance(80);

    expect(runs).toEqual({ dying: 2, living: 10 });
    expect(dying.now()).toBe(100);
    expect(clock.pending).toBe(1);
  });
});
