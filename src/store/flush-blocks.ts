import { randomBytes } from 'node:crypto';

// A flush's text for one slot value is a block: a line naming the flush and how many lines
// follow, `[0,"NAME",LINES]`, then those lines. What a flush wrote twice (a write whose reply
// never came, written again) is read once: a reader skips the lines of a block whose name the
// value showed before, and reads everything else, lines written without a block included. A
// flush line starts with `["`, so the two never mix; a reader that predates blocks skips the
// naming line as one it cannot read (its first entry is not a service name).

const OPEN = 0x5b;
const ZERO = 0x30;
const COMMA = 0x2c;
const QUOTE = 0x22;

/** Names flush blocks: one random prefix per writer, then a counter, unique across replicas. */
export class FlushBlockNames {
  private readonly prefix = randomBytes(9).toString('base64url');
  private next = 0;

  /** A name for the next flush's blocks (one per slot value it appends to). */
  name(): string {
    return `${this.prefix}${(this.next++).toString(36)}`;
  }
}

/** The line starting a block of `lines` lines named `name`. */
export function blockHead(name: string, lines: number): string {
  return `[0,"${name}",${lines}]\n`;
}

/**
 * Which lines of one slot value to read. `enters` takes each line's start: true for a block's
 * head (not itself a line of counts), after which the lines of a block seen before are skipped.
 */
export class BlockFilter {
  private seen: Set<string> | undefined;
  private skip = 0;

  /** Whether text[from, end) is a block's head; taken in if so. */
  enters(text: string, from: number, end: number): boolean {
    if (text.charCodeAt(from) !== OPEN || text.charCodeAt(from + 1) !== ZERO || text.charCodeAt(from + 2) !== COMMA) return false;
    // No name: no block of ours, whose lines (if any) are read.
    this.skip = 0;
    const close = text.indexOf('"', from + 4);
    if (text.charCodeAt(from + 3) !== QUOTE || close < 0 || close >= end) return true;
    const name = text.slice(from + 4, close);
    const lines = Number(text.slice(close + 2, end - 1));
    this.seen ??= new Set();
    this.skip = this.seen.has(name) && Number.isSafeInteger(lines) && lines > 0 ? lines : 0;
    this.seen.add(name);
    return true;
  }

  /** Whether the line after the last head (or skipped line) is one of a block already read. */
  skips(): boolean {
    if (this.skip === 0) return false;
    this.skip--;
    return true;
  }
}
