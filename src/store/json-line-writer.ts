import { quoted } from '../common/json-quote';

export const OPEN = 0x5b;
export const CLOSE = 0x5d;
export const COMMA = 0x2c;
const FIRST_ARENA = 64 * 1024;
const LARGEST_ARENA = 4 * 2 ** 20;
/** Room for any number JSON.stringify writes (at most 25 characters, `-1.2345678901234567e-308`). */
const NUMBER_ROOM = 32;

/**
 * Writes lines of JSON (arrays of strings, numbers and lists of strings) as UTF-8 straight into
 * buffers, the bytes `JSON.stringify` then a UTF-8 encode would make. A large fleet's flush is
 * megabytes of such lines a second: as strings they were built, joined, measured, flattened and
 * encoded again on the way to the socket: a third of a replica's CPU per reported operation.
 * Lines go into arenas that grow as needed; a finished line is a view of its arena.
 */
export class JsonLineWriter {
  private arena: Buffer;
  private at = 0;
  private start = 0;

  constructor(firstBytes = FIRST_ARENA) {
    this.arena = Buffer.allocUnsafe(firstBytes);
  }

  /** Starts a line. */
  begin(): void {
    this.start = this.at;
  }

  /** Writes `byte` (a character below 0x80: a bracket, a comma). */
  byte(byte: number): void {
    this.room(1);
    this.arena[this.at++] = byte;
  }

  /** Writes `value` as JSON.stringify does: `null` when it is not finite. */
  number(value: number): void {
    this.room(NUMBER_ROOM);
    if (Number.isInteger(value) && value >= 0 && value < 1e15) this.digits(value);
    else this.ascii(Number.isFinite(value) ? String(value) : 'null');
  }

  /** Writes `value` quoted and escaped as JSON.stringify does. */
  string(value: string): void {
    // An escape takes at most six bytes per UTF-16 unit, UTF-8 at most three.
    this.room(6 * value.length + 2);
    const arena = this.arena;
    let at = this.at;
    arena[at++] = 0x22;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      // Anything to escape or encode: the whole string the slow way, from its quote.
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) return this.encoded(value);
      arena[at++] = c;
    }
    arena[at++] = 0x22;
    this.at = at;
  }

  /** Writes `values` as a JSON list of strings. */
  strings(values: readonly string[]): void {
    this.byte(OPEN);
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.byte(COMMA);
      this.string(values[i]);
    }
    this.byte(CLOSE);
  }

  /** Ends the line (with a newline) and returns it: a view that stays valid, never written again. */
  end(): Buffer {
    this.byte(0x0a);
    return this.arena.subarray(this.start, this.at);
  }

  private encoded(value: string): void {
    this.at += this.arena.write(quoted(value), this.at, 'utf8');
  }

  private ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.arena[this.at++] = text.charCodeAt(i);
  }

  private digits(value: number): void {
    if (value < 10) {
      this.arena[this.at++] = 0x30 + value;
      return;
    }
    let length = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) length++;
    this.at += length;
    let at = this.at;
    for (let rest = value; rest > 0; rest = Math.floor(rest / 10)) this.arena[--at] = 0x30 + (rest % 10);
  }

  /** Makes room for `bytes` more, moving the line begun so far into a larger arena if needed. */
  private room(bytes: number): void {
    if (this.at + bytes <= this.arena.length) return;
    const begun = this.at - this.start;
    const size = Math.max(Math.min(2 * this.arena.length, LARGEST_ARENA), 2 * (begun + bytes));
    const next = Buffer.allocUnsafe(size);
    this.arena.copy(next, 0, this.start, this.at);
    this.arena = next;
    this.start = 0;
    this.at = begun;
  }
}
