import { SamplaneProcess } from '../support/samplane-process';

/** The combination the old manifest shipped: replicas sharing Redis, each with a private SQLite file. */
describe('start-up with Redis but no shared policy database', () => {
  it('is refused with a message saying what to set', async () => {
    const samplane = await SamplaneProcess.spawn({ REDIS_URL: 'redis://127.0.0.1:1', ALLOW_SQLITE_WITH_REDIS: '' });
    expect(await samplane.exited()).toBe(2);
    expect(samplane.output).toContain('configuration error: DATABASE_URL: unset while REDIS_URL is set');
    expect(samplane.output).toContain('ALLOW_SQLITE_WITH_REDIS=true');
  });
});
