import { MAX_DURATION_MS, parseDurationMs } from '../../../src/config/duration';

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
    ['1.5s', 1_500],
    ['0.5m', 30_000],
    ['  10s  ', 10_000],
  ])('reads %j as %d ms', (text, expected) => {
    expect(parseDurationMs(text)).toBe(expected);
  });

  it('tells milliseconds from minutes', () => {
    expect(parseDurationMs('5ms')).toBe(5);
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('5m5ms')).toBe(300_005);
  });

  it('rounds sub-millisecond remainders to whole milliseconds', () => {
    expect(parseDurationMs('1.4ms')).toBe(1);
    expect(parseDurationMs('1.6ms')).toBe(2);
  });

  it.each([
    '60',
    '0',
    '1.5',
    '10 s',
    '10S',
    '1d',
    '5min',
    '-1s',
    '+1s',
    '.5s',
    's',
    '1s 2m',
    '1e3ms',
    'ten seconds',
  ])('refuses %j', (text) => {
    expect(() => parseDurationMs(text)).toThrow(/is not a duration/);
  });

  it('refuses a bare number because its unit would be a guess', () => {
    expect(() => parseDurationMs('60')).toThrow(
      '"60" is not a duration (write it like 250ms, 10s, 1m or 1h)',
    );
  });

  it.each(['', '   '])('refuses the empty value %j', (text) => {
    expect(() => parseDurationMs(text)).toThrow(/empty value/);
  });

  it('accepts the longest delay a Node timer honours and refuses one more millisecond', () => {
    expect(MAX_DURATION_MS).toBe(2 ** 31 - 1);
    expect(parseDurationMs('2147483647ms')).toBe(2 ** 31 - 1);
    expect(() => parseDurationMs('2147483648ms')).toThrow(/longer than/);
    expect(() => parseDurationMs('1000h')).toThrow(/longer than/);
    expect(parseDurationMs('596h')).toBe(596 * 3_600_000);
  });
});
