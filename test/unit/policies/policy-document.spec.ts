import { checkServiceName, parsePolicy } from '../../../src/policies/policy-document';
import { FieldError } from '../../../src/errors/domain-error';

/** The field a document is refused for, or undefined when it is accepted. */
function refusedField(document: unknown): string | undefined {
  try {
    parsePolicy(document);
    return undefined;
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    return error.field;
  }
}

const ops = (...entries: unknown[]) => ({ mode: 'adaptive', operations: entries });

describe('parsePolicy', () => {
  it('accepts a full adaptive policy, as the README shows one, and keeps it as written', () => {
    const example = {
      mode: 'adaptive',
      targetSamplesPerSecond: 5,
      minSamplingProbability: 0.0001,
      maxSamplingProbability: 1,
      lowerBoundTracesPerSecond: 0.0166,
      operations: [
        { operation: 'GET /health', samplingRate: 0 },
        { operation: 'POST /pay', targetSamplesPerSecond: 20 },
      ],
      description: 'why this policy exists',
    };
    expect(parsePolicy(example)).toEqual(example);
  });

  it('writes fields in one order whatever the input order', () => {
    const policy = parsePolicy({ description: 'd', samplingRate: 0.25, mode: 'probabilistic' });
    expect(JSON.stringify(policy)).toBe('{"mode":"probabilistic","samplingRate":0.25,"description":"d"}');
  });

  it.each([
    ['probabilistic', { mode: 'probabilistic', samplingRate: 1 }],
    ['ratelimiting at the int32 limit', { mode: 'ratelimiting', maxTracesPerSecond: 2147483647 }],
    ['ratelimiting at zero', { mode: 'ratelimiting', maxTracesPerSecond: 0 }],
    ['adaptive with nothing else', { mode: 'adaptive' }],
    ['probabilistic with pinned operations', { mode: 'probabilistic', samplingRate: 0.1, operations: [{ operation: 'x', samplingRate: 1 }] }],
    ['equal bounds', { mode: 'adaptive', minSamplingProbability: 0.5, maxSamplingProbability: 0.5 }],
    ['a 1024-character operation', ops({ operation: 'o'.repeat(1024), samplingRate: 0 })],
    ['2000 operations', ops(...Array.from({ length: 2000 }, (_, i) => ({ operation: `op${i}`, samplingRate: 0.5 })))],
    ['a 1000-character description', { mode: 'adaptive', description: 'd'.repeat(1000) }],
  ])('accepts %s', (_name, document) => {
    expect(refusedField(document)).toBeUndefined();
  });

  it.each([
    ['a non-object body', [], 'body'],
    ['null', null, 'body'],
    ['a missing mode', {}, 'mode'],
    ['an unknown mode', { mode: 'always' }, 'mode'],
    ['an unknown field', { mode: 'adaptive', rate: 1 }, 'rate'],
    ['an unknown operation field', ops({ operation: 'a', samplingRate: 0, weight: 2 }), 'operations[0].weight'],
    ['a rate above 1', { mode: 'probabilistic', samplingRate: 1.5 }, 'samplingRate'],
    ['a negative rate', { mode: 'probabilistic', samplingRate: -0.1 }, 'samplingRate'],
    ['a rate given as text', { mode: 'probabilistic', samplingRate: '0.5' }, 'samplingRate'],
    ['a null rate', { mode: 'probabilistic', samplingRate: null }, 'samplingRate'],
    ['a missing rate in probabilistic mode', { mode: 'probabilistic' }, 'samplingRate'],
    ['a missing limit in ratelimiting mode', { mode: 'ratelimiting' }, 'maxTracesPerSecond'],
    ['a fractional limit', { mode: 'ratelimiting', maxTracesPerSecond: 1.5 }, 'maxTracesPerSecond'],
    ['a limit beyond int32', { mode: 'ratelimiting', maxTracesPerSecond: 2147483648 }, 'maxTracesPerSecond'],
    ['a negative limit', { mode: 'ratelimiting', maxTracesPerSecond: -1 }, 'maxTracesPerSecond'],
    ['a zero target', { mode: 'adaptive', targetSamplesPerSecond: 0 }, 'targetSamplesPerSecond'],
    ['an infinite target', { mode: 'adaptive', targetSamplesPerSecond: Infinity }, 'targetSamplesPerSecond'],
    ['a negative lower bound', { mode: 'adaptive', lowerBoundTracesPerSecond: -1 }, 'lowerBoundTracesPerSecond'],
    ['min above max', { mode: 'adaptive', minSamplingProbability: 0.5, maxSamplingProbability: 0.1 }, 'minSamplingProbability'],
    ['max above 1', { mode: 'adaptive', maxSamplingProbability: 2 }, 'maxSamplingProbability'],
    ['a rate in adaptive mode', { mode: 'adaptive', samplingRate: 0.5 }, 'samplingRate'],
    ['a target in probabilistic mode', { mode: 'probabilistic', samplingRate: 0.5, targetSamplesPerSecond: 1 }, 'targetSamplesPerSecond'],
    ['bounds in ratelimiting mode', { mode: 'ratelimiting', maxTracesPerSecond: 1, minSamplingProbability: 0 }, 'minSamplingProbability'],
    ['a lower bound in ratelimiting mode', { mode: 'ratelimiting', maxTracesPerSecond: 1, lowerBoundTracesPerSecond: 1 }, 'lowerBoundTracesPerSecond'],
    ['operations in ratelimiting mode', { mode: 'ratelimiting', maxTracesPerSecond: 1, operations: [] }, 'operations'],
    ['a limit in probabilistic mode', { mode: 'probabilistic', samplingRate: 1, maxTracesPerSecond: 1 }, 'maxTracesPerSecond'],
    ['an operation target in probabilistic mode', { mode: 'probabilistic', samplingRate: 1, operations: [{ operation: 'a', targetSamplesPerSecond: 1 }] }, 'operations[0].targetSamplesPerSecond'],
    ['operations that are not a list', { mode: 'adaptive', operations: {} }, 'operations'],
    ['an operation that is not an object', ops({ operation: 'a', samplingRate: 0 }, 7), 'operations[1]'],
    ['an operation without a name', ops({ samplingRate: 0 }), 'operations[0].operation'],
    ['an empty operation name', ops({ operation: '', samplingRate: 0 }), 'operations[0].operation'],
    ['a 1025-character operation name', ops({ operation: 'o'.repeat(1025), samplingRate: 0 }), 'operations[0].operation'],
    ['an operation with neither rate nor target', ops({ operation: 'a' }), 'operations[0]'],
    ['an operation with both', ops({ operation: 'a', samplingRate: 0, targetSamplesPerSecond: 1 }), 'operations[0]'],
    ['an operation rate above 1', ops({ operation: 'a', samplingRate: 0.1 }, { operation: 'b', samplingRate: 2 }), 'operations[1].samplingRate'],
    ['a repeated operation', ops({ operation: 'a', samplingRate: 0 }, { operation: 'b', samplingRate: 0 }, { operation: 'a', samplingRate: 1 }), 'operations[2].operation'],
    ['2001 operations', ops(...Array.from({ length: 2001 }, (_, i) => ({ operation: `op${i}`, samplingRate: 0.5 }))), 'operations'],
    ['a 1001-character description', { mode: 'adaptive', description: 'd'.repeat(1001) }, 'description'],
    ['a description that is not text', { mode: 'adaptive', description: 5 }, 'description'],
  ])('refuses %s, naming the field', (_name, document, field) => {
    expect(refusedField(document)).toBe(field);
  });

  it('says why, after the field', () => {
    expect(() => parsePolicy({ mode: 'probabilistic', samplingRate: 2 })).toThrow(
      'samplingRate: must be a number from 0 to 1',
    );
    expect(() => parsePolicy({ mode: 'ratelimiting', maxTracesPerSecond: 1, operations: [] })).toThrow(
      'operations: is not used in ratelimiting mode; remove it',
    );
  });
});

describe('checkServiceName', () => {
  it.each(['*', 'checkout', "'; DROP TABLE policies; --", 'a/b', '日本', '🚀'.repeat(256), 'x'.repeat(256)])(
    'accepts %j',
    (name) => {
      expect(checkServiceName(name)).toBe(name);
    },
  );

  it.each([
    ['empty', ''],
    ['257 characters', 'x'.repeat(257)],
    ['10 KB', 'x'.repeat(10 * 1024)],
    ['NUL', 'a\u0000b'],
    ['a lone surrogate', 'a\uD800b'],
  ])('refuses %s', (_name, name) => {
    expect(() => checkServiceName(name)).toThrow(FieldError);
  });
});
