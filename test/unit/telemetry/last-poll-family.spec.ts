import { LastPollFamily, writeSeconds } from '../../../src/telemetry/last-poll-family';
import { LastPolls } from '../../../src/telemetry/last-polls';
import { TextFamily, formatValue } from '../../../src/telemetry/text-family';
import { Random } from '../../../src/simulator/random';

const NAME = 'samplane_service_last_poll_timestamp_seconds';
const HELP = 'When this replica last answered a poll for the service, by protocol (http, grpc, xray).';

describe('LastPollFamily', () => {
  it('writes the bytes the family writes as text, awkward names and every protocol included, scrape after scrape', () => {
    const polls = new LastPolls();
    const family = new LastPollFamily(polls);
    const text = new TextFamily(NAME, HELP, ['service', 'protocol']);
    const expected = (): string => {
      let lines = '';
      for (const [service, at] of polls.entries()) {
        for (const protocol of ['http', 'grpc', 'xray'] as const) {
          if (at[protocol] !== undefined) lines += text.line([service, protocol], (at[protocol] as number) / 1000);
        }
      }
      return text.render(lines);
    };
    expect(family.render().toString()).toBe(expected());

    const services = ['checkout', 'back\\slash', 'a "quoted" name', 'line\nbreak', 'ünïcødé 🚀', 'GET /{id}'];
    services.forEach((service, i) => polls.record(service, i % 2 === 0 ? 'http' : 'grpc', true, 1_796_475_250_123 + i * 1_001));
    polls.record('checkout', 'xray', true, 1_796_475_250_000);
    expect(family.render().toString()).toBe(expected());

    // A later scrape: new times, a new service, the same labels reused.
    polls.record('checkout', 'http', true, 1_796_475_260_120);
    polls.record('late', 'grpc', true, 1_796_475_261_007);
    expect(family.render().toString()).toBe(expected());
  });

  it('writes seconds from milliseconds exactly as the text format does', () => {
    const random = new Random(7);
    const samples = [0, 1, 10, 100, 999, 1_000, 1_001, 1_010, 1_100, 60_000, 1_796_475_250_123, 1_796_475_250_120, 1_796_475_250_100];
    for (let i = 0; i < 2_000; i++) samples.push(Math.floor(random.next() * 2_000_000_000_000));
    // Not whole milliseconds, negative or huge: the general formatting.
    samples.push(0.5, 1_796_475_250_123.25, -1_500, 2 ** 60, Infinity, NaN);
    const bytes = new Uint8Array(64);
    for (const ms of samples) {
      const end = writeSeconds(ms, bytes, 3);
      expect(Buffer.from(bytes.subarray(3, end)).toString('latin1')).toBe(formatValue(ms / 1000));
    }
  });
});
