import { randomBytes } from 'node:crypto';

// A flush's text for one slot value starts with a line naming the flush, `[0,"ID"]`: what a
// flush wrote twice (a write whose reply never came, written again) is read once. A flush line
// starts with `["`, so the two never mix; a reader that predates markers skips the line as one
// it cannot read (its first entry is not a service name).

const OPEN = 0x5b;
const ZERO = 0x30;
const COMMA = 0x2c;

/** Names flush blocks: one random prefix per writer, then a counter, unique across replicas. */
export class FlushBlockNames {
  private readonly prefix = randomBytes(9).toString('base64url');
  private next = 0;

  /** The marker line for a new block (the same for every slot value one flush appends to). */
  marker(): string {
    return `[0,"${this.prefix}${(this.next++).toString(36)}"]\n`;
  }
}

/** Whether text[from, end) is a block marker. */
export function isBlockMarker(text: string, from: number): boolean {
  return text.charCodeAt(from) === OPEN && text.charCodeAt(from + 1) === ZERO && text.charCodeAt(from + 2) === COMMA;
}

/**
 * Which lines of one slot value to read: all of them until a marker, then those of each block
 * whose marker the value has not shown before. Lines before any marker (written without one)
 * are read.
 */
export class BlockFilter {
  private seen: Set<string> | undefined;
  private repeated = false;

  /** Takes the marker text[from, end). */
  enter(text: string, from: number, end: number): void {
    const name = text.slice(from, end);
    this.seen ??= new Set();
    this.repeated = this.seen.has(name);
    this.seen.add(name);
  }

  /** Whether the lines since the last marker are a block already read. */
  get skipping(): boolean {
    return this.repeated;
  }
}
