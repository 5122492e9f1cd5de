import { loadConfig } from '../../../src/config/load-config';

describe('POLL_MAX_AGE and XRAY_PORT', () => {
  it('defaults to a 60 s max-age and no X-Ray listener', () => {
    const config = loadConfig({});
    expect(config.pollMaxAgeMs).toBe(60_000);
    expect(config.xrayPort).toBeUndefined();
  });

  it('reads a duration and a port', () => {
    const config = loadConfig({ POLL_MAX_AGE: '5m', XRAY_PORT: '2000' });
    expect(config.pollMaxAgeMs).toBe(300_000);
    expect(config.xrayPort).toBe(2000);
  });

  it.each([
    ['POLL_MAX_AGE', 'soon'],
    ['XRAY_PORT', '70000'],
  ])('refuses a bad %s naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
