import type { SavedRows } from '../sampling/calculator';
import { readSameColumns, withSameColumns, withoutSameColumns } from './columns-of-one-value';

/**
 * A shard's services' saved calculator state as bytes: the length of a JSON header (u32, little
 * endian), the header (the row widths, each service's name, operations and columns of one
 * value), padding to 8, then every service's numbers and every service's flags. At a million
 * operations base64 in JSON was 128 MiB of text and 0.85 s of a leader's CPU per save; this is
 * the names and a copy. A column holding one value in all of a service's rows (its error
 * tracker's, for a service without errors, and some of its estimators') is in the header
 * once, not in each row: about 60 % of a fleet's numbers.
 */
export function encodeStateShard(services: Array<[string, SavedRows]>): Buffer {
  let width: Widths | undefined;
  for (const [service, saved] of services) {
    const n = saved.ops.length;
    if (n === 0) continue;
    const own = { numbers: saved.numbers.length / n, flags: saved.flags.length / n };
    width ??= own;
    if (own.numbers !== width.numbers || own.flags !== width.flags || !Number.isInteger(own.numbers) || !Number.isInteger(own.flags)) {
      throw new RangeError(`saved state of ${JSON.stringify(service)}: rows of another width`);
    }
  }
  const { numbers, flags } = width ?? { numbers: 0, flags: 0 };
  const blocks = services.map(([, saved]) => withoutSameColumns(saved.numbers, saved.ops.length, numbers, 'rows'));
  const entries = services.map(([service, saved], i) => {
    const same = blocks[i].same;
    return same ? [service, saved.ops, same] : [service, saved.ops];
  });
  const header = Buffer.from(JSON.stringify({ numbers, flags, services: entries }));
  const start = align8(4 + header.length);
  const rows = services.reduce((sum, [, saved]) => sum + saved.ops.length, 0);
  const numbersBytes = blocks.reduce((sum, block) => sum + block.kept.byteLength, 0);
  const bytes = Buffer.alloc(start + numbersBytes + rows * flags);
  bytes.writeUInt32LE(header.length, 0);
  header.copy(bytes, 4);
  let at = start;
  for (const block of blocks) at += copyInto(bytes, at, block.kept);
  for (const [, saved] of services) at += copyInto(bytes, at, saved.flags);
  return bytes;
}

/**
 * A shard's services' saved state, their blocks views of one aligned copy of the bytes. Throws
 * where the bytes are not whole: a state read in part would be a new leader continuing some
 * operations and starting others over.
 */
export function decodeStateShard(bytes: Buffer): Array<[string, SavedRows]> {
  if (bytes.length < 4) throw new SyntaxError('saved state: cut short');
  const length = bytes.readUInt32LE(0);
  if (4 + length > bytes.length) throw new SyntaxError('saved state: header cut short');
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as Partial<{ numbers: number; flags: number; services: Array<[string, string[], unknown?]> }>;
  const { numbers: width, flags: flagWidth, services } = header;
  if (!Number.isInteger(width) || !Number.isInteger(flagWidth) || width! < 0 || flagWidth! < 0 || !Array.isArray(services)) {
    throw new SyntaxError('saved state: header without widths or services');
  }
  let rows = 0;
  let stored = 0;
  const sames = services.map((entry) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) throw new SyntaxError('saved state: a service without a name or operations');
    const same = readSameColumns(entry[2], width!);
    if (!same) throw new SyntaxError(`saved state: the columns of one value of ${JSON.stringify(entry[0])} are not columns of ${width} and numbers`);
    rows += entry[1].length;
    stored += entry[1].length * (width! - same.size);
    return same;
  });
  const start = align8(4 + length);
  const numbersBytes = stored * 8;
  if (bytes.length !== start + numbersBytes + rows * flagWidth!) throw new SyntaxError('saved state: rows cut short');
  // Copied out so the numbers are aligned whatever offset the buffer pool gave the bytes.
  const kept = new Float64Array(stored);
  new Uint8Array(kept.buffer).set(bytes.subarray(start, start + numbersBytes));
  const numbers = sames.some((same) => same.size > 0) ? new Float64Array(rows * width!) : kept;
  const flags = new Uint8Array(bytes.subarray(start + numbersBytes));
  let row = 0;
  let from = 0;
  return services.map(([service, ops], i) => {
    const block = numbers.subarray(row * width!, (row + ops.length) * width!);
    if (numbers !== kept) {
      const size = ops.length * (width! - sames[i].size);
      withSameColumns(kept.subarray(from, (from += size)), sames[i], ops.length, width!, 'rows', block);
    }
    const saved: SavedRows = { ops: ops.map(String), numbers: block, flags: flags.subarray(row * flagWidth!, (row + ops.length) * flagWidth!) };
    row += ops.length;
    return [service, saved];
  });
}

interface Widths {
  numbers: number;
  flags: number;
}

function align8(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}

function copyInto(bytes: Buffer, at: number, block: Float64Array | Uint8Array): number {
  bytes.set(new Uint8Array(block.buffer, block.byteOffset, block.byteLength), at);
  return block.byteLength;
}
