import type { StatisticsDocument } from '../../../src/sampling/xray/xray-requests';
import { InstanceHistory } from '../../../src/xray/instance-history';

const report = (overrides: Partial<StatisticsDocument> = {}): StatisticsDocument => ({
  RuleName: 'Default',
  ClientID: 'abcdefabcdefabcdefabcdef',
  Timestamp: 0,
  RequestCount: 1000,
  SampledCount: 10,
  BorrowCount: 0,
  ...overrides,
});

describe('what a replica remembers of each X-Ray instance', () => {
  it('reads a first report over the interval, later ones over the time since the last', () => {
    const history = new InstanceHistory(10_000);
    expect(history.observe(report(), 0)).toEqual({ requestsPerSecond: 100 });
    expect(history.observe(report({ RequestCount: 500 }), 1_000)).toEqual({ requestsPerSecond: 500 });
    expect(history.observe(report({ RequestCount: 500, ClientID: '0'.repeat(24) }), 1_000)).toEqual({ requestsPerSecond: 50 });
  });

  it('reads a report that came late with the next one, so the one after it is not read as a burst', () => {
    // The instance reports 1,000 requests every second; the report it sent at 2 s reached this
    // replica at 2.6 s (a pause here), the one sent at 3 s on time.
    const history = new InstanceHistory(1_000);
    history.observe(report(), 0);
    expect(history.observe(report(), 1_000)).toEqual({ requestsPerSecond: 1000 });
    expect(history.observe(report(), 2_600).requestsPerSecond).toBeCloseTo(2000 / 2.6, 6);
    expect(history.observe(report(), 3_000)).toEqual({ requestsPerSecond: 1000 });
  });

  it('starts over after three silent intervals', () => {
    const history = new InstanceHistory(10_000);
    history.observe(report(), 0);
    expect(history.observe(report(), 31_000)).toEqual({ requestsPerSecond: 100 });
  });

  it('does not flag the borrowing of an instance that held no quota (a first report)', () => {
    const history = new InstanceHistory(1_000);
    expect(history.observe(report({ BorrowCount: 5 }), 0)).toEqual({ requestsPerSecond: 1000 });
    history.gave(report(), 0);
    expect(history.observe(report({ BorrowCount: 1 }), 1_000)).toEqual({ requestsPerSecond: 1000 });
  });

  it('flags, for good, an instance that borrows while holding a quota', () => {
    const history = new InstanceHistory(1_000);
    history.observe(report(), 0);
    history.gave(report(), 3);
    expect(history.observe(report({ BorrowCount: 1 }), 1_000)).toEqual({ requestsPerSecond: 1000, borrowedPerSecond: 1 });
    history.gave(report(), 0);
    // Over its last two reports: 3 borrowed in 2 s.
    expect(history.observe(report({ BorrowCount: 2 }), 2_000)).toEqual({ requestsPerSecond: 1000, borrowedPerSecond: 1.5 });
  });

  it('keeps at most its bound, dropping the least recently reporting', () => {
    const history = new InstanceHistory(10_000, 3);
    for (let i = 0; i < 5; i++) history.observe(report({ ClientID: String(i).repeat(24) }), i);
    expect(history.size).toBeLessThanOrEqual(3);
    // The newest is still known: its next report is read over the time since.
    expect(history.observe(report({ ClientID: '4'.repeat(24) }), 1_004)).toEqual({ requestsPerSecond: 1000 });
  });
});
