import { ExportRequestType, decodeProtobufSpans } from '../../../src/ingest/otlp/otlp-decode';
import { FieldError } from '../../../src/errors/domain-error';
import { type ProtoRequest, referenceRoots } from '../../support/otlp-reference';

/**
 * The wire scanner against protobufjs: random requests written field by field (in any order,
 * fields repeated, unknown fields and kinds of values among them, as encoders other than
 * protobufjs may write them) must give exactly the roots the decoded objects give.
 */

/** A field: number, wire type and its bytes after the tag. */
type Field = [number, number, number[]];

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}

const message = (fields: Field[]): number[] => fields.flatMap(([field, wire, bytes]) => [...varint(BigInt(field * 8 + wire)), ...bytes]);
const len = (field: number, bytes: number[]): Field => [field, 2, [...varint(BigInt(bytes.length)), ...bytes]];
const str = (field: number, text: string): Field => len(field, [...Buffer.from(text, 'utf8')]);
const int = (field: number, value: bigint): Field => [field, 0, varint(value)];
const fixed64 = (field: number, value: bigint): Field => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt.asUintN(64, value));
  return [field, 1, [...bytes]];
};
const double = (field: number, value: number): Field => {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return [field, 1, [...bytes]];
};
const fixed32 = (field: number, value: number): Field => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return [field, 5, [...bytes]];
};

/** A deterministic generator, so a failure names a seed that reproduces it. */
function random(seed: number) {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const chance = (p: number) => next() < p;
  const shuffle = <T>(items: T[]): T[] => (chance(0.3) ? [...items].sort(() => next() - 0.5) : items);
  return { next, pick, chance, shuffle };
}
type Random = ReturnType<typeof random>;

const KEYS = ['sampler.type', 'jaeger.sampler.type', 'sampler.param', 'jaeger.sampler.param', 'service.name', 'http.route', 'sampler'];
const TYPES = ['probabilistic', 'lowerbound', 'ratelimiting', 'const', 'remote', ''];
const NAMES = ['GET /cart', 'POST /pay', '', 'ünïcode ☃', 'x'.repeat(80), '__proto__', '\uFEFFGET /bom', '\uFEFF'];
/** Bytes that are not UTF-8, each replaced as decoders replace them. */
const INVALID_UTF8 = [0x47, 0xff, 0x45, 0xc3, 0x54, 0xe2, 0x82];

function anyValue(r: Random): number[] {
  const fields: Field[] = [];
  for (let i = r.chance(0.1) ? 2 : 1; i > 0; i--) {
    fields.push(
      r.pick<() => Field>([
        () => str(1, r.pick([...TYPES, '0.25', ' ', '1e-3', 'abc'])),
        () => int(2, BigInt(r.pick([0, 1, 2]))),
        () => int(3, r.pick([0n, 1n, -1n, 2n ** 40n, -(2n ** 62n), 2n ** 63n - 1n])),
        () => double(4, r.pick([0.5, 0.001, 1, 1.5, -0.1, Number.NaN, Infinity])),
        () => len(7, [1, 2, 3]),
        () => len(5, message([len(1, message([str(1, 'nested')]))])),
      ])(),
    );
  }
  return message(fields);
}

function keyValue(r: Random, key: string): number[] {
  const fields: Field[] = [];
  if (!r.chance(0.05)) fields.push(str(1, key));
  if (!r.chance(0.1)) fields.push(len(2, anyValue(r)));
  if (r.chance(0.1)) fields.push(int(9, 7n));
  return message(r.shuffle(fields));
}

function span(r: Random): number[] {
  const fields: Field[] = [len(1, [...Buffer.alloc(16, 1)]), len(2, [...Buffer.alloc(8, 2)])];
  if (r.chance(0.4)) fields.push(str(3, r.pick(['ot=th:fd70a3d70a3d71', 'ot=p:3', 'vendor=x,ot=th:8', 'ot=th:zz', ''])));
  if (r.chance(0.3)) fields.push(len(4, r.chance(0.8) ? [...Buffer.alloc(8, 3)] : []));
  if (!r.chance(0.1)) fields.push(r.chance(0.05) ? len(5, INVALID_UTF8) : str(5, r.pick(NAMES)));
  if (r.chance(0.1)) fields.push(str(5, r.pick(NAMES)));
  fields.push(int(6, 2n));
  const base = 1_767_225_600_000_000_000n;
  if (!r.chance(0.2)) fields.push(fixed64(7, r.chance(0.05) ? 2n ** 64n - 1n : base + BigInt(Math.floor(r.next() * 1e9))));
  if (!r.chance(0.2)) fields.push(fixed64(8, r.chance(0.05) ? 0n : base + BigInt(Math.floor(r.next() * 2e9))));
  for (let i = Math.floor(r.next() * 6); i > 0; i--) fields.push(len(9, keyValue(r, r.pick(KEYS))));
  if (r.chance(0.2)) fields.push(len(11, message([fixed64(1, 1n), str(2, 'exception')])));
  if (r.chance(0.5)) fields.push(len(15, message(r.shuffle([str(2, 'boom'), int(3, BigInt(r.pick([0, 1, 2, 2, -1])))]))));
  if (r.chance(0.2)) fields.push(fixed32(16, 0x301));
  return message(r.shuffle(fields));
}

function request(r: Random): Uint8Array {
  const resources: Field[] = [];
  for (let i = Math.floor(r.next() * 4); i > 0; i--) {
    const fields: Field[] = [];
    const attributes: Field[] = [];
    if (r.chance(0.2)) attributes.push(len(1, keyValue(r, 'host.name')));
    // Mostly a service named as SDKs name it; sometimes none, or a value of another kind.
    if (r.chance(0.8)) attributes.push(len(1, message([str(1, 'service.name'), len(2, message([str(1, r.pick(['checkout', 'cart', '', '\uFEFFcart']))]))])));
    for (let a = Math.floor(r.next() * 3); a > 0; a--) attributes.push(len(1, keyValue(r, r.pick(['service.name', 'host.name']))));
    if (r.chance(0.1)) attributes.push(int(2, 3n));
    if (!r.chance(0.1)) fields.push(len(1, message(attributes)));
    for (let s = Math.floor(r.next() * 3); s > 0; s--) {
      const scope: Field[] = [len(1, message([str(1, '@opentelemetry/instrumentation-http')]))];
      for (let k = Math.floor(r.next() * 5); k > 0; k--) scope.push(len(2, span(r)));
      if (r.chance(0.2)) scope.push(str(3, 'https://opentelemetry.io/schemas/1.24.0'));
      fields.push(len(2, message(r.shuffle(scope))));
    }
    if (r.chance(0.1)) fields.push(str(3, 'schema'));
    resources.push(len(1, message(r.shuffle(fields))));
  }
  if (r.chance(0.1)) resources.push(int(5, 1n));
  return Uint8Array.from(message(resources));
}

/** As the service decoded them before: a Buffer, whose strings Node's decoder reads. */
function reference(bytes: Uint8Array) {
  return referenceRoots(ExportRequestType.decode(Buffer.from(bytes)) as unknown as ProtoRequest);
}

/** Both readers' outcome for `bytes`: the roots, or that it was refused. */
function outcomes(bytes: Uint8Array): [unknown, unknown] {
  const read = (decode: () => unknown) => {
    try {
      return decode();
    } catch (error) {
      return { refused: error instanceof FieldError ? 'FieldError' : (error as Error).constructor.name };
    }
  };
  return [read(() => decodeProtobufSpans(bytes)), read(() => reference(bytes))];
}

describe('decodeProtobufSpans against the decoded objects', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))('gives the same roots for random requests (seed %i)', (seed) => {
    const r = random(seed);
    let roots = 0;
    for (let n = 0; n < 100; n++) {
      const bytes = request(r);
      const expected = reference(bytes);
      roots += expected.roots.length;
      expect({ seed, n, decoded: decodeProtobufSpans(bytes) }).toEqual({ seed, n, decoded: expected });
    }
    // The requests are not all empty: there were roots to compare.
    expect(roots).toBeGreaterThan(40);
  });

  it('refuses a request cut short wherever protobufjs refuses it, and reads the rest alike', () => {
    const r = random(99);
    let refused = 0;
    for (let n = 0; n < 20; n++) {
      const bytes = request(r);
      for (let cut = 0; cut < bytes.length; cut += 3) {
        const [scanned, decoded] = outcomes(bytes.subarray(0, cut));
        if ((decoded as { refused?: string }).refused) {
          refused++;
          expect(scanned).toEqual({ refused: 'FieldError' });
        } else expect(scanned).toEqual(decoded);
      }
    }
    expect(refused).toBeGreaterThan(100);
  });

  /** A request of one resource named `checkout` around the given span and resource fields. */
  const oneSpan = (spanFields: Field[], resourceFields: Field[] = []) =>
    Uint8Array.from(
      message([
        len(
          1,
          message([
            len(1, message([len(1, message([str(1, 'service.name'), len(2, message([str(1, 'checkout')]))])), ...resourceFields])),
            len(2, message([len(2, message([str(5, 'GET /cart'), ...spanFields]))])),
          ]),
        ),
      ]),
    );

  it('reads the well-formed request the malformed ones below are made from', () => {
    expect(decodeProtobufSpans(oneSpan([])).roots).toEqual([{ service: 'checkout', operation: 'GET /cart', probability: undefined, counts: true, error: false }]);
  });

  it.each([
    ['a span name sent as a number', oneSpan([int(5, 1n)])],
    ['a trace id sent as a number', oneSpan([int(1, 1n)])],
    ['a group', Uint8Array.from([0x0b, 0x0c])],
    ['a malformed value of an attribute nobody reads', oneSpan([len(9, message([str(1, 'http.route'), len(2, [0x0f])]))])],
    ['a string attribute sent as a number', oneSpan([len(9, message([str(1, 'http.route'), len(2, message([int(1, 3n)]))]))])],
    ['a malformed resource attribute after service.name', oneSpan([], [len(1, message([str(1, 'host.name'), len(2, [0xff])]))])],
    ['a status message sent as a number', oneSpan([len(15, message([int(2, 1n)]))])],
  ])('refuses %s, naming the body, nothing read', (_case, bytes) => {
    expect(() => decodeProtobufSpans(bytes)).toThrow(FieldError);
    expect(() => decodeProtobufSpans(bytes)).toThrow(/not an OTLP ExportTraceServiceRequest/);
  });

  it('refuses a malformed resource even where a later one replaces it', () => {
    const garbage = len(1, message([len(1, [0x0f, 0x01])]));
    const good = len(1, message([len(1, message([str(1, 'service.name'), len(2, message([str(1, 'checkout')]))]))]));
    const spans = len(2, message([len(2, message([str(5, 'GET /cart')]))]));
    expect(() => decodeProtobufSpans(Uint8Array.from(message([len(1, message([garbage, good, spans]))])))).toThrow(FieldError);
    expect(decodeProtobufSpans(Uint8Array.from(message([len(1, message([good, good, spans]))]))).roots).toHaveLength(1);
  });
});
