import { type LastPolls, POLLED_PROTOCOLS as PROTOCOLS } from './last-polls';
import { TextFamily, formatValue } from './text-family';

/** The longest a value is written: formatValue's of any double (e.g. `-1.2345678901234567e-300`). */
const MAX_VALUE_BYTES = 32;

/**
 * `samplane_service_last_poll_timestamp_seconds`, one series per service and protocol, written
 * as bytes with each series' labels encoded once and kept: built as text at every scrape, a
 * fleet of 20,000 services held the event loop ~40 ms a scrape (polls waited behind it).
 */
export class LastPollFamily {
  private readonly family = new TextFamily(
    'samplane_service_last_poll_timestamp_seconds',
    'When this replica last answered a poll for the service, by protocol (http, grpc, xray).',
    ['service', 'protocol'],
  );
  private readonly header: Buffer;
  /** Per service, its series' `name{labels} ` by protocol, as bytes (as many services as `polls` holds). */
  private readonly prefixes = new Map<string, Array<Buffer | undefined>>();
  /** Reused from scrape to scrape: what `render` returns is a view of it, good until the next. */
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(private readonly polls: LastPolls) {
    this.header = Buffer.from(this.family.render(''));
  }

  /** The family's bytes, valid until the next call (a scrape copies them into its body at once). */
  render(): Buffer {
    let at = 0;
    this.reserve(this.header.length);
    this.scratch.set(this.header, at);
    at += this.header.length;
    for (const [service, polls] of this.polls.entries()) {
      let prefixes = this.prefixes.get(service);
      if (!prefixes) {
        prefixes = [];
        this.prefixes.set(service, prefixes);
      }
      for (let i = 0; i < PROTOCOLS.length; i++) {
        const polledAt = polls[PROTOCOLS[i]];
        if (polledAt === undefined) continue;
        const prefix = (prefixes[i] ??= Buffer.from(this.family.prefix([service, PROTOCOLS[i]])));
        this.reserve(at + prefix.length + MAX_VALUE_BYTES + 1);
        // TypedArray's set: Buffer's copy checks its arguments in JavaScript, which at tens of
        // thousands of lines cost more than the bytes.
        this.scratch.set(prefix, at);
        at = writeSeconds(polledAt, this.scratch, at + prefix.length);
        this.scratch[at++] = 0x0a;
      }
    }
    return this.scratch.subarray(0, at);
  }

  private reserve(bytes: number): void {
    if (bytes <= this.scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2));
    grown.set(this.scratch);
    this.scratch = grown;
  }
}

/**
 * Writes `ms / 1000` as formatValue does (the shortest decimal that reads back as the double),
 * at `at`; returns where it ended. Whole milliseconds, as clocks give, are written digit by digit:
 * their quotient by 1000 is the double nearest to a decimal of at most three places, which is
 * therefore its shortest form, and formatting a double is most of a line's cost.
 */
export function writeSeconds(ms: number, into: Uint8Array, at: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms >= Number.MAX_SAFE_INTEGER) {
    const text = formatValue(ms / 1000);
    for (let k = 0; k < text.length; k++) into[at++] = text.charCodeAt(k);
    return at;
  }
  const whole = Math.floor(ms / 1000);
  const fraction = ms - whole * 1000;
  at = writeDigits(whole, into, at);
  if (fraction === 0) return at;
  into[at++] = 0x2e;
  // Three places, less the trailing zeros.
  const tenths = Math.floor(fraction / 100);
  const hundredths = Math.floor(fraction / 10) % 10;
  const thousandths = fraction % 10;
  into[at++] = 0x30 + tenths;
  if (hundredths !== 0 || thousandths !== 0) into[at++] = 0x30 + hundredths;
  if (thousandths !== 0) into[at++] = 0x30 + thousandths;
  return at;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** A non-negative safe integer's decimal digits at `at`; returns where they ended. */
function writeDigits(value: number, into: Uint8Array, at: number): number {
  let digits = 1;
  while (digits < POWERS_OF_TEN.length && POWERS_OF_TEN[digits] <= value) digits++;
  let rest = value;
  for (let k = digits - 1; k >= 0; k--) {
    const digit = rest % 10;
    into[at + k] = 0x30 + digit;
    rest = (rest - digit) / 10;
  }
  return at + digits;
}
