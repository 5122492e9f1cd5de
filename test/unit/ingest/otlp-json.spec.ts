import { FieldError } from '../../../src/errors/domain-error';
import { decodeJsonSpans } from '../../../src/ingest/otlp/otlp-json';

type Json = Record<string, unknown>;

const str = (key: string, value: string): Json => ({ key, value: { stringValue: value } });

const root = (name: string, extra: Json = {}): Json => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  parentSpanId: '',
  name,
  kind: 2,
  startTimeUnixNano: '1767225600000000000',
  endTimeUnixNano: '1767225600100000000',
  ...extra,
});
const child = (name: string, extra: Json = {}): Json =>
  root(name, { spanId: 'aaaabbbbccccdddd', parentSpanId: 'eee19b7ec3c1b174', ...extra });

const request = (service: string | undefined, ...spans: Json[]): Json => ({
  resourceSpans: [
    {
      resource: { attributes: service === undefined ? [] : [str('service.name', service)] },
      scopeSpans: [{ scope: { name: 'manual' }, spans }],
    },
  ],
});

function refusal(body: unknown): FieldError {
  try {
    decodeJsonSpans(body);
  } catch (error) {
    if (error instanceof FieldError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('decodeJsonSpans', () => {
  it('reads root spans as the OTLP/JSON exporters send them', () => {
    const body = request(
      'checkout',
      root('GET /cart', {
        attributes: [str('sampler.type', 'probabilistic'), { key: 'sampler.param', value: { doubleValue: 0.25 } }],
      }),
      root('POST /pay', { traceState: 'ot=th:8', status: { code: 2, message: 'boom' } }),
      root('GET /health', { status: { code: 1 } }),
      root('GET /orders', { parentSpanId: undefined, status: {} }),
    );

    expect(decodeJsonSpans(body)).toEqual({
      roots: [
        { service: 'checkout', operation: 'GET /cart', probability: 0.25, counts: true, error: false, sampledAgoMs: 100 },
        { service: 'checkout', operation: 'POST /pay', probability: 0.5, counts: true, error: true, sampledAgoMs: 100 },
        { service: 'checkout', operation: 'GET /health', probability: undefined, counts: true, error: false, sampledAgoMs: 100 },
        { service: 'checkout', operation: 'GET /orders', probability: undefined, counts: true, error: false, sampledAgoMs: 100 },
      ],
      rejected: 0,
      rejectedReason: undefined,
    });
  });

  it('tells how long before the newest span of the request each root started, on the sender\'s clock', () => {
    // Nanoseconds as strings (the JSON encoders' 64-bit integers), or as numbers.
    const at = (ms: number) => String(1767225600000000000 + ms * 1e6);
    const body = request(
      'checkout',
      root('GET /cart', { startTimeUnixNano: at(0), endTimeUnixNano: at(20) }),
      root('GET /cart', { startTimeUnixNano: at(4000), endTimeUnixNano: Number(at(4030)) }),
      child('SELECT', { startTimeUnixNano: at(4990), endTimeUnixNano: at(5000) }),
      root('GET /cart', { startTimeUnixNano: undefined }),
    );

    expect(decodeJsonSpans(body).roots.map((r) => r.sampledAgoMs)).toEqual([5000, 1000, undefined]);
    expect(decodeJsonSpans(request('checkout', root('GET /cart', { endTimeUnixNano: 'soon' }))).roots[0].sampledAgoMs).toBeUndefined();
  });

  it('skips child spans', () => {
    const body = request('checkout', child('SELECT'), root('GET /cart'), child('HTTP GET'));

    expect(decodeJsonSpans(body).roots.map((r) => r.operation)).toEqual(['GET /cart']);
  });

  it('accepts the snake_case field names of the proto', () => {
    const body = {
      resource_spans: [
        {
          resource: { attributes: [str('service.name', 'svc')] },
          scope_spans: [
            {
              spans: [
                { name: 'root', parent_span_id: '', trace_state: 'ot=th:c' },
                { name: 'child', parent_span_id: 'eee19b7ec3c1b174' },
              ],
            },
          ],
        },
      ],
    };

    expect(decodeJsonSpans(body).roots).toEqual([
      { service: 'svc', operation: 'root', probability: 0.25, counts: true, error: false },
    ]);
  });

  it('reads the error status written as the enum name', () => {
    const body = request(
      'svc',
      root('GET /a', { status: { code: 'STATUS_CODE_ERROR' } }),
      root('GET /b', { status: { code: 'STATUS_CODE_OK' } }),
    );

    expect(decodeJsonSpans(body).roots.map((r) => r.error)).toEqual([true, false]);
  });

  it('reads sampler params sent as 64-bit integers in strings, as numbers, and as strings', () => {
    const tagged = (name: string, type: string, param: Json): Json =>
      root(name, { attributes: [str('sampler.type', type), { key: 'sampler.param', value: param }] });
    const body = request(
      'svc',
      tagged('int-string', 'const', { intValue: '1' }),
      tagged('int-number', 'probabilistic', { intValue: 1 }),
      tagged('string', 'probabilistic', { stringValue: '0.001' }),
      tagged('bool', 'const', { boolValue: true }),
      tagged('garbage', 'probabilistic', { intValue: 'many' }),
    );

    expect(decodeJsonSpans(body).roots.map((r) => [r.operation, r.probability, r.counts])).toEqual([
      ['int-string', 1, false],
      ['int-number', 1, true],
      ['string', 0.001, true],
      ['bool', undefined, false],
      ['garbage', undefined, false],
    ]);
  });

  it.each([
    ['no service.name', request(undefined, root('GET /a'), child('child'), root('GET /b'))],
    ['an empty service.name', request('', root('GET /a'), child('child'), root('GET /b'))],
    [
      'a service.name that is not a string',
      {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { intValue: '7' } }] },
            scopeSpans: [{ spans: [root('GET /a'), root('GET /b')] }],
          },
        ],
      },
    ],
    ['no resource', { resourceSpans: [{ scopeSpans: [{ spans: [root('GET /a'), root('GET /b')] }] }] }],
  ])('rejects the root spans of a resource with %s, and counts them', (_, body) => {
    expect(decodeJsonSpans(body)).toEqual({
      roots: [],
      rejected: 2,
      rejectedReason: 'resource attribute service.name is missing',
    });
  });

  it('keeps counting the other resources of a request with a nameless one', () => {
    const body = {
      resourceSpans: [
        ...(request(undefined, root('lost')).resourceSpans as Json[]),
        ...(request('svc', root('kept')).resourceSpans as Json[]),
      ],
    };

    expect(decodeJsonSpans(body)).toMatchObject({ roots: [{ service: 'svc', operation: 'kept' }], rejected: 1 });
  });

  it('gives a span without a name an empty operation, for the service to refuse', () => {
    expect(decodeJsonSpans(request('svc', root('x', { name: undefined }))).roots.map((r) => r.operation)).toEqual(['']);
  });

  it('reads a request without spans as no spans', () => {
    expect(decodeJsonSpans({})).toEqual({ roots: [], rejected: 0, rejectedReason: undefined });
    expect(decodeJsonSpans({ resourceSpans: [] }).roots).toEqual([]);
    expect(decodeJsonSpans({ resourceSpans: [{ resource: { attributes: [str('service.name', 's')] } }] }).roots).toEqual([]);
  });

  it('ignores attributes that are not a list, and attribute entries it cannot read', () => {
    const body = request(
      'svc',
      root('odd', { attributes: { 'sampler.param': 0.5 } }),
      root('entries', { attributes: [null, 'sampler.param', { key: 'sampler.param' }, { key: 'sampler.param', value: 0.5 }] }),
    );

    expect(decodeJsonSpans(body).roots.map((r) => r.probability)).toEqual([undefined, undefined]);
  });

  it.each([
    ['a body that is a list', [], '(body)'],
    ['a body that is null', null, '(body)'],
    ['resourceSpans that is not a list', { resourceSpans: {} }, 'resourceSpans'],
    ['a resource span that is not an object', { resourceSpans: ['x'] }, 'resourceSpans[0]'],
    ['a resource that is not an object', { resourceSpans: [{ resource: 'svc' }] }, 'resourceSpans[0].resource'],
    ['scopeSpans that is not a list', { resourceSpans: [{ scopeSpans: 1 }] }, 'resourceSpans[0].scopeSpans'],
    ['a scope span that is not an object', { resourceSpans: [{ scopeSpans: [null] }] }, 'resourceSpans[0].scopeSpans[0]'],
    ['spans that is not a list', { resourceSpans: [{ scopeSpans: [{ spans: 'x' }] }] }, 'resourceSpans[0].scopeSpans[0].spans'],
    [
      'a span that is not an object',
      { resourceSpans: [{ scopeSpans: [{}, { spans: [root('fine'), 7] }] }] },
      'resourceSpans[0].scopeSpans[1].spans[1]',
    ],
  ])('refuses %s, naming where', (_, body, field) => {
    expect(refusal(body).field).toBe(field);
  });
});
