import type { SavedRows } from '../sampling/calculator';

/**
 * A shard's services' saved calculator state as bytes: the length of a JSON header (u32, little
 * endian), the header (the row widths, each service's name and operations), padding to 8, then
 * every service's numbers and every service's flags as they are in memory. At a million
 * operations base64 in JSON was 128 MiB of text and 0.85 s of a leader's CPU per save; this is
 * the names and a copy.
 */
export function encodeStateShard(services: Array<[string, SavedRows]>): Buffer {
  let rows = 0;
  let width: Widths | undefined;
  for (const [service, saved] of services) {
    const n = saved.ops.length;
    rows += n;
    if (n === 0) continue;
    const own = { numbers: saved.numbers.length / n, flags: saved.flags.length / n };
    width ??= own;
    if (own.numbers !== width.numbers || own.flags !== width.flags || !Number.isInteger(own.numbers) || !Number.isInteger(own.flags)) {
      throw new RangeError(`saved state of ${JSON.stringify(service)}: rows of another width`);
    }
  }
  const { numbers, flags } = width ?? { numbers: 0, flags: 0 };
  const header = Buffer.from(JSON.stringify({ numbers, flags, services: services.map(([service, saved]) => [service, saved.ops]) }));
  const start = align8(4 + header.length);
  const bytes = Buffer.alloc(start + rows * (numbers * 8 + flags));
  bytes.writeUInt32LE(header.length, 0);
  header.copy(bytes, 4);
  let at = start;
  for (const [, saved] of services) at += copyInto(bytes, at, saved.numbers);
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
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as Partial<{ numbers: number; flags: number; services: Array<[string, string[]]> }>;
  const { numbers: width, flags: flagWidth, services } = header;
  if (!Number.isInteger(width) || !Number.isInteger(flagWidth) || !Array.isArray(services)) throw new SyntaxError('saved state: header without widths or services');
  let rows = 0;
  for (const entry of services) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) throw new SyntaxError('saved state: a service without a name or operations');
    rows += entry[1].length;
  }
  const start = align8(4 + length);
  const numbersBytes = rows * width! * 8;
  if (bytes.length !== start + numbersBytes + rows * flagWidth!) throw new SyntaxError('saved state: rows cut short');
  // Copied out so the numbers are aligned whatever offset the buffer pool gave the bytes.
  const numbers = new Float64Array(rows * width!);
  new Uint8Array(numbers.buffer).set(bytes.subarray(start, start + numbersBytes));
  const flags = new Uint8Array(bytes.subarray(start + numbersBytes));
  let row = 0;
  return services.map(([service, ops]) => {
    const saved: SavedRows = {
      ops: ops.map(String),
      numbers: numbers.subarray(row * width!, (row + ops.length) * width!),
      flags: flags.subarray(row * flagWidth!, (row + ops.length) * flagWidth!),
    };
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
