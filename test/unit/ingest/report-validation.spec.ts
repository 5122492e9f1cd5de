import { INGEST_LIMITS } from '../../../src/ingest/ingest-limits';
import { FieldError } from '../../../src/errors/domain-error';
import { validateReport } from '../../../src/ingest/report-validation';

type Document = Record<string, unknown>;

const valid = (): Document => ({
  service: 'checkout',
  instance: 'pod-7f9c',
  windowSeconds: 10,
  operations: [{ operation: 'GET /cart', count: 1200, sampled: 12, errors: 3, probability: 0.01 }],
});

/** The valid report with one operation field replaced (undefined removes it). */
const withOperation = (fields: Document): Document => {
  const document = valid();
  const operation = { ...(document.operations as Document[])[0], ...fields };
  for (const [key, value] of Object.entries(operation)) if (value === undefined) delete operation[key];
  return { ...document, operations: [operation] };
};

/** The error validateReport throws, so its field and message can be checked. */
function refusal(document: unknown): FieldError {
  try {
    validateReport(document);
  } catch (error) {
    if (error instanceof FieldError) return error;
    throw error;
  }
  throw new Error('the report was accepted');
}

describe('validateReport', () => {
  it("accepts the README's example report as it stands", () => {
    expect(validateReport(valid())).toEqual({
      service: 'checkout',
      instance: 'pod-7f9c',
      windowSeconds: 10,
      operations: [{ operation: 'GET /cart', count: 1200, sampled: 12, errors: 3, outcomes: 1200, probability: 0.01 }],
    });
  });

  it('defaults the optional fields', () => {
    expect(validateReport({ service: 's', operations: [{ operation: 'op', count: 0, sampled: 0 }] })).toEqual({
      service: 's',
      instance: undefined,
      windowSeconds: undefined,
      operations: [{ operation: 'op', count: 0, sampled: 0, errors: 0, outcomes: 0, probability: undefined }],
    });
  });

  it('takes null as absent for optional fields, and an empty instance as none', () => {
    const report = validateReport({
      service: 's',
      instance: '',
      windowSeconds: null,
      operations: [{ operation: 'op', count: 1, sampled: 1, errors: null, probability: null }],
    });

    expect(report).toMatchObject({ instance: undefined, windowSeconds: undefined });
    expect(report.operations[0]).toMatchObject({ errors: 0, probability: undefined });
    expect(validateReport({ ...valid(), instance: null }).instance).toBeUndefined();
  });

  it('ignores fields it does not know, at the top and in operations', () => {
    const report = validateReport({
      ...valid(),
      sdk: { name: 'samplane-node', version: '9.9.9' },
      operations: [{ operation: 'op', count: 2, sampled: 1, latencyP99: 12.5, tags: ['x'] }],
    });

    expect(report).toEqual({
      service: 'checkout',
      instance: 'pod-7f9c',
      windowSeconds: 10,
      operations: [{ operation: 'op', count: 2, sampled: 1, errors: 0, outcomes: 2, probability: undefined }],
    });
  });

  it('keeps names exactly as sent, whatever characters they hold', () => {
    const names = ['svc a&b', 'pipe|quote"', '{"json":true}', 'line\nbreak', 'ünïcødé 🚀', ' padded '];

    for (const name of names) {
      const report = validateReport({ service: name, operations: [{ operation: name, count: 1, sampled: 1 }] });
      expect([report.service, report.operations[0].operation]).toEqual([name, name]);
    }
  });

  describe('the document', () => {
    it.each([
      ['null', null],
      ['a list', [valid()]],
      ['a string', '{"service":"s"}'],
      ['a number', 42],
      ['undefined', undefined],
    ])('refuses %s as the body', (_, document) => {
      expect(refusal(document).field).toBe('(body)');
    });
  });

  describe.each([
    ['service', INGEST_LIMITS.maxServiceLength, (value: unknown): Document => ({ ...valid(), service: value })],
    ['instance', INGEST_LIMITS.maxInstanceLength, (value: unknown): Document => ({ ...valid(), instance: value })],
    [
      'operations[0].operation',
      INGEST_LIMITS.maxOperationLength,
      (value: unknown): Document => withOperation({ operation: value }),
    ],
  ])('the name %s', (field, maxLength, documentWith) => {
    it(`accepts ${maxLength} characters and refuses ${maxLength + 1}`, () => {
      expect(() => validateReport(documentWith('x'.repeat(maxLength)))).not.toThrow();

      const error = refusal(documentWith('x'.repeat(maxLength + 1)));
      expect(error.field).toBe(field);
      expect(error.message).toContain(`at most ${maxLength}`);
    });

    it.each([
      ['a number', 42],
      ['a boolean', true],
      ['an object', { name: 'x' }],
      ['a list', ['x']],
    ])('refuses %s', (_, value) => {
      expect(refusal(documentWith(value))).toMatchObject({ field, message: `${field}: expected a string` });
    });

    it('refuses blank text', () => {
      expect(refusal(documentWith('   '))).toMatchObject({ field, message: `${field}: must not be empty` });
    });
  });

  it('requires the service and refuses an empty one', () => {
    expect(refusal({ ...valid(), service: undefined }).field).toBe('service');
    expect(refusal({ ...valid(), service: null }).field).toBe('service');
    expect(refusal({ ...valid(), service: '' }).field).toBe('service');
  });

  it('requires the operation name and refuses an empty one', () => {
    expect(refusal(withOperation({ operation: undefined })).field).toBe('operations[0].operation');
    expect(refusal(withOperation({ operation: '' })).field).toBe('operations[0].operation');
  });

  describe('windowSeconds', () => {
    it.each([0.001, 1, 10, INGEST_LIMITS.maxWindowSeconds])('accepts %p', (windowSeconds) => {
      expect(validateReport({ ...valid(), windowSeconds }).windowSeconds).toBe(windowSeconds);
    });

    it.each([0, -1, INGEST_LIMITS.maxWindowSeconds + 0.5, Infinity, NaN, '10', true])('refuses %p', (windowSeconds) => {
      expect(refusal({ ...valid(), windowSeconds }).field).toBe('windowSeconds');
    });
  });

  describe('operations', () => {
    it('accepts an empty list', () => {
      expect(validateReport({ ...valid(), operations: [] }).operations).toEqual([]);
    });

    it.each([
      ['missing', undefined],
      ['null', null],
      ['an object', { operation: 'op', count: 1, sampled: 1 }],
      ['a string', 'op'],
    ])('refuses a list that is %s', (_, operations) => {
      expect(refusal({ ...valid(), operations })).toMatchObject({ field: 'operations', message: 'operations: expected a list' });
    });

    it(`accepts ${INGEST_LIMITS.maxOperationsPerReport} entries and refuses one more`, () => {
      const entries = (n: number): Document[] =>
        Array.from({ length: n }, (_, i) => ({ operation: `op-${i}`, count: 1, sampled: 1 }));
      expect(INGEST_LIMITS.maxOperationsPerReport).toBe(2000);

      expect(validateReport({ ...valid(), operations: entries(2000) }).operations).toHaveLength(2000);
      const error = refusal({ ...valid(), operations: entries(2001) });
      expect(error.field).toBe('operations');
      expect(error.message).toContain('2001 entries; at most 2000');
    });

    it.each([
      ['null', null],
      ['a string', 'GET /cart'],
      ['a list', [{ operation: 'op' }]],
    ])('refuses an entry that is %s, naming its index', (_, entry) => {
      const document = { ...valid(), operations: [{ operation: 'fine', count: 1, sampled: 1 }, entry] };

      expect(refusal(document)).toMatchObject({ field: 'operations[1]', message: 'operations[1]: expected an object' });
    });

    it('names the index of the first bad entry and refuses the whole report', () => {
      const operations = [
        { operation: 'a', count: 1, sampled: 1 },
        { operation: 'b', count: 1, sampled: 1 },
        { operation: 'c', count: 1, sampled: 2 },
        { operation: 'd', count: -1, sampled: 0 },
      ];

      expect(refusal({ ...valid(), operations }).field).toBe('operations[2].sampled');
    });
  });

  describe.each(['count', 'sampled', 'errors'])('the counter %s', (counter) => {
    const field = `operations[0].${counter}`;
    // count large enough for the others to be checked on their own rules.
    const documentWith = (value: unknown): Document =>
      withOperation(counter === 'count' ? { count: value, sampled: 0, errors: 0 } : { count: 2 ** 52, [counter]: value });

    it.each([0, 1, 12, 2 ** 52])('accepts %p', (value) => {
      const operation = validateReport(documentWith(value)).operations[0];
      expect(operation[counter as 'count' | 'sampled' | 'errors']).toBe(value);
    });

    it.each([
      ['negative', -1],
      ['fractional', 1.5],
      ['beyond 2^53 − 1', 2 ** 53],
      ['infinite', Infinity],
      ['NaN', NaN],
      ['a numeric string', '12'],
      ['a boolean', true],
      ['an object', { value: 1 }],
    ])('refuses %s', (_, value) => {
      expect(refusal(documentWith(value))).toMatchObject({ field, message: `${field}: expected a non-negative integer` });
    });
  });

  it('accepts the largest safe integer as a count', () => {
    const operation = validateReport(withOperation({ count: Number.MAX_SAFE_INTEGER, sampled: 1, errors: 0 })).operations[0];

    expect(operation.count).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('requires count and sampled', () => {
    expect(refusal(withOperation({ count: undefined })).field).toBe('operations[0].count');
    expect(refusal(withOperation({ sampled: undefined })).field).toBe('operations[0].sampled');
  });

  it('accepts sampled and errors equal to count, and refuses either above it', () => {
    expect(() => validateReport(withOperation({ count: 5, sampled: 5, errors: 5 }))).not.toThrow();

    expect(refusal(withOperation({ count: 5, sampled: 6, errors: 0 }))).toMatchObject({
      field: 'operations[0].sampled',
      message: 'operations[0].sampled: 6 is more than count (5)',
    });
    expect(refusal(withOperation({ count: 5, sampled: 0, errors: 6 }))).toMatchObject({
      field: 'operations[0].errors',
      message: 'operations[0].errors: 6 is more than count (5)',
    });
  });

  describe('probability', () => {
    it.each([0, 1e-9, 0.001, 0.5, 1])('accepts %p', (probability) => {
      expect(validateReport(withOperation({ probability })).operations[0].probability).toBe(probability);
    });

    it.each([-0.000001, 1.000001, 2, -1])('refuses %p as out of range', (probability) => {
      expect(refusal(withOperation({ probability }))).toMatchObject({
        field: 'operations[0].probability',
        message: `operations[0].probability: ${probability} is not a probability (0 to 1)`,
      });
    });

    it.each([
      ['a numeric string', '0.5'],
      ['infinite', Infinity],
      ['NaN', NaN],
      ['a boolean', true],
    ])('refuses %s', (_, probability) => {
      expect(refusal(withOperation({ probability }))).toMatchObject({
        field: 'operations[0].probability',
        message: 'operations[0].probability: expected a number',
      });
    });
  });

  it('throws FieldError whose message gives the field, then the reason', () => {
    const error = refusal({ ...valid(), service: 7 });

    expect(error).toBeInstanceOf(FieldError);
    expect(error.name).toBe('FieldError');
    expect(error.message).toBe('service: expected a string');
  });
});

describe('validateReport: sampledErrors', () => {
  const report = (op: Record<string, unknown>) => ({ service: 's', operations: [{ operation: 'op', count: 100, sampled: 10, ...op }] });

  it('takes errors seen on sampled spans as errors among the sampled requests', () => {
    expect(validateReport(report({ sampledErrors: 2 })).operations[0]).toMatchObject({ errors: 2, outcomes: 10 });
  });

  it('takes errors as errors among every request', () => {
    expect(validateReport(report({ errors: 2 })).operations[0]).toMatchObject({ errors: 2, outcomes: 100 });
  });

  it.each([
    [{ sampledErrors: 11 }, 'operations[0].sampledErrors'],
    [{ sampledErrors: -1 }, 'operations[0].sampledErrors'],
    [{ sampledErrors: 1.5 }, 'operations[0].sampledErrors'],
    [{ sampledErrors: 1, errors: 2 }, 'operations[0].sampledErrors'],
  ])('refuses %j naming %s', (op, field) => {
    expect(() => validateReport(report(op))).toThrow(expect.objectContaining({ field }) as Error);
  });
});
