import { loadConfig } from '../../../src/config/load-config';
import { EngineReplica, INTERVAL_MS, LEASE_MS, OPERATION, SERVICE, SharedState } from './support/engine-replicas';

/**
 * Reports' counts are spread back from when they arrived, up to ADAPTIVE_DELAY less two flush
 * periods. A flush slower than that margin still has counts on their way into slots old enough
 * to read: the leader must wait for them rather than read those slots without them.
 */
describe('a leader whose replicas flush late', () => {
  const config = loadConfig({
    ADAPTIVE_CALCULATION_INTERVAL: `${INTERVAL_MS}ms`,
    ADAPTIVE_LEADER_LEASE: `${LEASE_MS}ms`,
    ADAPTIVE_DELAY: '2s',
    INGEST_FLUSH_INTERVAL: '1s',
    LOG_LEVEL: 'silent',
  });

  beforeEach(() => {
    // Calculations exactly an interval apart (no jitter), so every bucket is as long.
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
  });

  afterEach(() => jest.restoreAllMocks());

  it.each([0, 1_900])('reads every count of reports spread back over their window, flushes taking %i ms', async (latencyMs) => {
    const shared = new SharedState(config, latencyMs);
    const replica = new EngineReplica('a', shared).start();
    // An SDK reporting every 2 s what it saw in them, 200 requests/s, 300 ms after a flush (spread
    // over the last 1.5 s: ADAPTIVE_DELAY less two flush periods).
    replica.clock.setTimeout(() => {
      replica.clock.setInterval(() => replica.reportWindow(SERVICE, OPERATION, 400, 0.01, 2_000), 2_000);
    }, 300);

    await shared.clock.advance(5.5 * INTERVAL_MS);

    const rates = shared.store.saves.map((save) => save.snapshot.traffic?.[SERVICE]?.[OPERATION]?.requestsPerSecond);
    expect(rates.length).toBeGreaterThanOrEqual(4);
    // The first calculation may start mid-traffic; from then on, every count is read (reading
    // slots the late flushes had yet to reach read 168 requests/s).
    for (const rate of rates.slice(1)) expect(rate).toBeCloseTo(200, 0);
  });
});
