import { FreshRuns } from '../../../src/common/fresh-runs';

describe('FreshRuns', () => {
  it('runs once per request made while idle, and once more after a run for every request made during it', async () => {
    const releases: Array<() => void> = [];
    let started = 0;
    const runs = new FreshRuns(() => {
      started++;
      return new Promise<void>((resolve) => releases.push(resolve));
    });

    const first = runs.request();
    const second = runs.request();
    const third = runs.request();
    expect(started).toBe(1);
    expect(third).toBe(second);

    releases[0]();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(2);
    releases[1]();
    await second;
    expect(started).toBe(2);

    const later = runs.request();
    expect(started).toBe(3);
    releases[2]();
    await later;
  });

  it('runs again after a run that failed, the failure left to its own caller', async () => {
    let calls = 0;
    const runs = new FreshRuns(async () => {
      calls++;
      if (calls === 1) throw new Error('store away');
    });
    const failing = runs.request();
    const after = runs.request();
    await expect(failing).rejects.toThrow('store away');
    await expect(after).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
