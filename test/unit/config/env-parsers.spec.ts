import * as p from '../../../src/config/env-parsers';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a throw');
}

describe('env parsers', () => {
  describe('text', () => {
    it('keeps the value as written', () => {
      expect(p.text(' a b ')).toBe(' a b ');
    });
  });

  describe('port', () => {
    it.each([
      ['0', 0],
      ['5778', 5778],
      ['65535', 65_535],
      [' 14250 ', 14_250],
    ])('reads %j', (raw, expected) => {
      expect(p.port(raw)).toBe(expected);
    });

    it.each(['65536', '-1', '80.5', 'http', '', '80x', 'Infinity', 'NaN'])('refuses %j', (raw) => {
      expect(() => p.port(raw)).toThrow(/not a port|not a number/);
    });
  });

  describe('duration', () => {
    it('reads units and accepts zero', () => {
      expect(p.duration('1m30s')).toBe(90_000);
      expect(p.duration('0s')).toBe(0);
    });

    it('refuses a bare number', () => {
      expect(() => p.duration('10')).toThrow(/not a duration/);
    });
  });

  describe('positiveDuration', () => {
    it('reads a duration longer than zero', () => {
      expect(p.positiveDuration('250ms')).toBe(250);
    });

    it.each(['0s', '0ms', '0.4ms'])('refuses %j, which rounds to nothing', (raw) => {
      expect(() => p.positiveDuration(raw)).toThrow(/longer than zero/);
    });
  });

  describe('probability', () => {
    it.each([
      ['0', 0],
      ['1', 1],
      ['0.001', 0.001],
      ['1e-5', 0.00001],
      ['1/60', 1 / 60],
    ])('reads %j', (raw, expected) => {
      expect(p.probability(raw)).toBe(expected);
    });

    it.each(['1.0001', '-0.1', '2/1', 'half', '0.5x', '1/0', '0/0'])('refuses %j', (raw) => {
      expect(() => p.probability(raw)).toThrow(/not a probability|not a number/);
    });
  });

  describe('nonNegative', () => {
    it('reads zero, fractions and large values', () => {
      expect(p.nonNegative('0')).toBe(0);
      expect(p.nonNegative('1/60')).toBe(1 / 60);
      expect(p.nonNegative('1000000')).toBe(1_000_000);
    });

    it('refuses negatives', () => {
      expect(() => p.nonNegative('-0.1')).toThrow('"-0.1" must not be negative');
      expect(() => p.nonNegative('-1/60')).toThrow(/must not be negative/);
    });
  });

  describe('positive', () => {
    it('reads values above zero', () => {
      expect(p.positive('0.5')).toBe(0.5);
    });

    it.each(['0', '-1', '0/5'])('refuses %j', (raw) => {
      expect(() => p.positive(raw)).toThrow(/greater than zero/);
    });
  });

  describe('positiveInteger', () => {
    it('reads whole numbers from 1', () => {
      expect(p.positiveInteger('1')).toBe(1);
      expect(p.positiveInteger('2000')).toBe(2000);
    });

    it.each(['0', '-3', '1.5', '10/4'])('refuses %j', (raw) => {
      expect(() => p.positiveInteger(raw)).toThrow(/whole number of at least 1/);
    });
  });

  describe('numbers in general', () => {
    it.each(['', '   ', '1.5x', 'x1', '1/', '/2', '1/2/3', 'one'])('refuses %j as not a number', (raw) => {
      expect(() => p.nonNegative(raw)).toThrow(/is not a number/);
    });

    it('quotes the raw value in the reason', () => {
      expect(messageOf(() => p.positive('abc'))).toBe('"abc" is not a number');
    });
  });

  describe('oneOf', () => {
    const level = p.oneOf('info', 'debug');

    it('reads an allowed value, whatever its case and padding', () => {
      expect(level('info')).toBe('info');
      expect(level(' DEBUG ')).toBe('debug');
    });

    it('lists the allowed values when refusing', () => {
      expect(() => level('verbose')).toThrow('"verbose" is not one of info, debug');
    });
  });

  describe('redisUrl', () => {
    it.each(['redis://localhost:6379', 'rediss://user:pw@cache.example:6380/2'])(
      'accepts %j as written',
      (raw) => {
        expect(p.redisUrl(raw)).toBe(raw);
      },
    );

    it.each(['http://localhost:6379', 'localhost:6379', 'postgres://db/x', ''])('refuses %j', (raw) => {
      expect(() => p.redisUrl(raw)).toThrow(/not a redis:\/\/ or rediss:\/\/ URL|not a URL/);
    });
  });

  describe('postgresUrl', () => {
    it.each(['postgres://u:pw@db:5432/samplane', 'postgresql://db/samplane'])('accepts %j', (raw) => {
      expect(p.postgresUrl(raw)).toBe(raw);
    });

    it.each(['mysql://db/x', 'redis://db', 'db:5432'])('refuses %j', (raw) => {
      expect(() => p.postgresUrl(raw)).toThrow(/not a postgres:\/\/ URL|not a URL/);
    });
  });

  describe('connection strings in errors', () => {
    it.each([
      ['a wrong scheme', () => p.redisUrl('http://admin:hunter2hunter2@host:6379'), 'http://***@host:6379'],
      ['a password holding @', () => p.postgresUrl('mysql://admin:hun@ter2hunter2@db/x'), 'mysql://***@db/x'],
      // Unencoded `/` makes the URL unparseable, and this is the message that carries it.
      [
        'a password holding /',
        () => p.redisUrl('redis://admin:hun/ter2hunter2@host:6379'),
        'redis://***@host:6379',
      ],
    ])('hide the password behind %s', (_why, fn, shown) => {
      const message = messageOf(fn);
      expect(message).toContain(shown);
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('ter2');
    });
  });
});
