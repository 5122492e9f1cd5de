import { NO_PROBABILITIES, lowestProbability, parsedProbability } from '../sampling/throughput';

/** Numbers per operation in a flush line: sampled, requests, exact, errors, outcomes. */
export const COUNTS_PER_OPERATION = 5;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const POINT = 0x2e;
// Built by multiplying, each exact: 10^15 < 2^53.
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => i).map((i) => [...Array<number>(i)].reduce((power) => power * 10, 1));

/** What one service's lines held last time, position by position, to be reused as is. */
interface Remembered {
  operations: string[];
  /** Empty in a read without lists. */
  lists: Array<readonly string[] | undefined>;
  /** Each list's lowest probability, beside it. */
  lowest: number[];
}

/**
 * Reads flush lines in the exact form `encodeFlush` writes, without JSON.parse's allocations:
 * a large fleet's interval repeats every operation name and probabilities list in every line,
 * so a name or list that matches what the service's line held at that position last time is
 * that same string or list, compared in place. Any other form (an escaped name, a stray
 * character) is left to the caller's JSON.parse, which decides what counts.
 */
export class FlushLineScanner {
  service = '';
  startMs = 0;
  windowMs = 0;
  /** Operations in the line just scanned; `operations[i]` has counts at `i * COUNTS_PER_OPERATION`. */
  operationCount = 0;
  readonly operations: string[] = [];
  /** Each operation's probabilities list; `NO_PROBABILITIES` in a line scanned without lists. */
  readonly lists: Array<readonly string[]> = [];
  counts = new Float64Array(COUNTS_PER_OPERATION * 128);
  /** Each operation's lowest probability in its list (see `lowestProbability`), either way. */
  lowest = new Float64Array(128);

  /** What the services of this read held, and of the read before (dropped at the next). */
  private remembered = new Map<string, Remembered>();
  private before = new Map<string, Remembered>();
  /** The line's start and window, read into place: a number returned would be a heap object each. */
  private readonly head = new Float64Array(2);
  /** A probability read in place. */
  private readonly scratch = new Float64Array(1);
  private text = '';
  private at = 0;

  /**
   * Starts a read of the whole fleet: what the last one saw is still reused, and what it did not
   * see again is then forgotten, so services gone from the fleet are not remembered for ever.
   */
  beginRead(): void {
    this.before = this.remembered;
    this.remembered = new Map();
  }

  /**
   * Scans text[from, to) as one line; false when it is not in the canonical form. Without
   * `lists`, each list is read as its lowest probability alone, and none is made or remembered.
   */
  scan(text: string, from: number, to: number, lists = true): boolean {
    const scanned = this.line(text, from, to, lists);
    // A reply of several MiB is not kept alive until the next read.
    this.text = '';
    return scanned;
  }

  private line(text: string, from: number, to: number, lists: boolean): boolean {
    this.text = text;
    this.at = from;
    this.operationCount = 0;
    if (!this.expect(OPEN)) return false;
    const service = this.string(undefined);
    if (service === undefined || !this.expect(COMMA)) return false;
    if (!this.number(this.head, 0) || !this.expect(COMMA) || !this.number(this.head, 1)) return false;
    let remembered = this.remembered.get(service);
    if (!remembered) {
      remembered = this.before.get(service) ?? { operations: [], lists: [], lowest: [] };
      this.remembered.set(service, remembered);
    }
    // Lists held from a read that kept them would be kept alive by one that does not.
    if (!lists && remembered.lists.length > 0) remembered.lists.length = remembered.lowest.length = 0;
    while (this.at < to && text.charCodeAt(this.at) === COMMA) {
      this.at++;
      const i = this.operationCount;
      const operation = this.string(remembered.operations[i]);
      if (operation === undefined) return false;
      remembered.operations[i] = operation;
      if (this.counts.length < (i + 1) * COUNTS_PER_OPERATION) this.grow();
      for (let k = 0; k < COUNTS_PER_OPERATION; k++) {
        if (!this.expect(COMMA) || !this.number(this.counts, i * COUNTS_PER_OPERATION + k)) return false;
      }
      if (!this.expect(COMMA)) return false;
      const list = lists ? this.list(remembered, i) : this.lowestOnly(i);
      if (list === undefined) return false;
      this.operations[i] = operation;
      this.lists[i] = list;
      this.operationCount++;
    }
    if (!this.expect(CLOSE) || this.at !== to) return false;
    this.service = service;
    this.startMs = this.head[0];
    this.windowMs = this.head[1];
    return true;
  }

  private expect(code: number): boolean {
    if (this.text.charCodeAt(this.at) !== code) return false;
    this.at++;
    return true;
  }

  /** A string without escapes; `known` itself when the text holds exactly it ('' when not `produced`). */
  private string(known: string | undefined, produced = true): string | undefined {
    const text = this.text;
    if (text.charCodeAt(this.at) !== QUOTE) return undefined;
    const from = this.at + 1;
    let end = from;
    for (;;) {
      const code = text.charCodeAt(end);
      if (code === QUOTE) break;
      // Escapes and control characters (and the end of the text: NaN) go to JSON.parse.
      if (!(code >= 0x20) || code === BACKSLASH) return undefined;
      end++;
    }
    this.at = end + 1;
    if (known !== undefined && known.length === end - from && text.startsWith(known, from)) return known;
    if (!produced) return '';
    // Parsed rather than sliced: a slice of a long string keeps the whole reply alive with it.
    return JSON.parse(text.slice(from - 1, end + 1)) as string;
  }

  /** A JSON number into `into[at]`; false when the text holds none here (JSON.parse then decides). */
  private number(into: Float64Array, at: number): boolean {
    const text = this.text;
    const from = this.at;
    let end = from;
    let value = 0;
    let digitCount = 0;
    // Where the fraction's point is (-1: none), and whether an exponent or a second point is there.
    let point = -1;
    let other = false;
    if (text.charCodeAt(end) === MINUS) end++;
    const digits = end;
    for (;;) {
      const code = text.charCodeAt(end);
      if (code >= ZERO && code <= NINE) {
        value = value * 10 + (code - ZERO);
        digitCount++;
      } else if (code === POINT && point < 0) point = end;
      else if (code === POINT || code === 0x65 || code === 0x45 || code === 0x2b || code === MINUS) other = true;
      else break;
      end++;
    }
    // Empty numbers, leading zeros, a point without digits on both sides are not JSON.
    const second = text.charCodeAt(digits + 1);
    if (end === digits || (text.charCodeAt(digits) === ZERO && second >= ZERO && second <= NINE)) return false;
    if (point === digits || point === end - 1) return false;
    this.at = end;
    // Up to 15 digits are exact as an integer, and one division by an exact power of ten rounds
    // as JSON.parse does: a summed interval's fractions need no string.
    if (!other && digitCount <= 15) {
      const magnitude = point < 0 ? value : value / POWERS_OF_TEN[end - point - 1];
      into[at] = text.charCodeAt(from) === MINUS ? -magnitude : magnitude;
    } else {
      // Exponents and long numbers the slow, exact way; what JSON.parse refuses stays NaN.
      into[at] = jsonNumber(text.slice(from, end));
    }
    return !Number.isNaN(into[at]);
  }

  /** The probabilities list at this position, the remembered one when the text is the same. */
  private list(remembered: Remembered, i: number): readonly string[] | undefined {
    const known = remembered.lists[i];
    if (known && this.listHere(known)) {
      this.lowest[i] = remembered.lowest[i];
      return known;
    }
    const text = this.text;
    const from = this.at;
    if (!this.expect(OPEN)) return undefined;
    if (!this.expect(CLOSE)) {
      for (;;) {
        if (this.string(undefined, false) === undefined) return undefined;
        if (this.expect(CLOSE)) break;
        if (!this.expect(COMMA)) return undefined;
      }
    }
    // Checked above to be plain strings; parsed into a list of its exact length.
    const list = JSON.parse(text.slice(from, this.at)) as string[];
    remembered.lists[i] = list;
    remembered.lowest[i] = this.lowest[i] = lowestProbability(list);
    return list;
  }

  /**
   * The list at this position read as its lowest probability alone, into `lowest[i]`: no list
   * is made or kept. Each probability is the number `Number` reads from its text.
   */
  private lowestOnly(i: number): readonly string[] | undefined {
    if (!this.expect(OPEN)) return undefined;
    let lowest = Infinity;
    if (!this.expect(CLOSE)) {
      for (;;) {
        const from = this.at + 1;
        if (this.string(undefined, false) === undefined) return undefined;
        const p = this.probability(from, this.at - 1);
        if (p > 0 && p < lowest) lowest = p;
        if (this.expect(CLOSE)) break;
        if (!this.expect(COMMA)) return undefined;
      }
    }
    this.lowest[i] = lowest;
    return NO_PROBABILITIES;
  }

  /** The number in text[from, to) as `Number` reads it: in place when it is a plain JSON number. */
  private probability(from: number, to: number): number {
    const after = this.at;
    this.at = from;
    const plain = this.number(this.scratch, 0) && this.at === to;
    this.at = after;
    return plain ? this.scratch[0] : parsedProbability(this.text.slice(from, to));
  }

  /** Whether the text here is `list` as JSON (its strings hold no escapes); steps past it if so. */
  private listHere(list: readonly string[]): boolean {
    const text = this.text;
    let at = this.at;
    if (text.charCodeAt(at++) !== OPEN) return false;
    for (let k = 0; k < list.length; k++) {
      if (k > 0 && text.charCodeAt(at++) !== COMMA) return false;
      const item = list[k];
      if (text.charCodeAt(at) !== QUOTE || !text.startsWith(item, at + 1) || text.charCodeAt(at + 1 + item.length) !== QUOTE) return false;
      at += item.length + 2;
    }
    if (text.charCodeAt(at++) !== CLOSE) return false;
    this.at = at;
    return true;
  }

  private grow(): void {
    const counts = new Float64Array(this.counts.length * 2);
    counts.set(this.counts);
    this.counts = counts;
    const lowest = new Float64Array(this.lowest.length * 2);
    lowest.set(this.lowest);
    this.lowest = lowest;
  }
}

function jsonNumber(text: string): number {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'number' ? value : NaN;
  } catch {
    return NaN;
  }
}
