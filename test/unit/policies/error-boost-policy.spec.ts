import { parsePolicy } from '../../../src/policies/policy-document';
import { FieldError } from '../../../src/errors/domain-error';

function refused(document: unknown): { field: string; message: string } | undefined {
  try {
    parsePolicy(document);
    return undefined;
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    return { field: error.field, message: error.message };
  }
}

describe('parsePolicy: errorBoost', () => {
  it('keeps a service boost and an operation boost as written, fields in a fixed order', () => {
    const policy = parsePolicy({
      mode: 'adaptive',
      errorBoost: { cooldown: '10m', maxSamplingProbability: 0.5, targetErrorSamplesPerSecond: 2 },
      operations: [{ operation: 'POST /pay', errorBoost: false }, { operation: 'GET /cart', targetSamplesPerSecond: 3, errorBoost: { cooldown: '1m' } }],
    });
    expect(JSON.stringify(policy.errorBoost)).toBe('{"targetErrorSamplesPerSecond":2,"maxSamplingProbability":0.5,"cooldown":"10m"}');
    expect(policy.operations).toEqual([
      { operation: 'POST /pay', errorBoost: false },
      { operation: 'GET /cart', targetSamplesPerSecond: 3, errorBoost: { cooldown: '1m' } },
    ]);
  });

  it('accepts false', () => {
    expect(parsePolicy({ mode: 'adaptive', errorBoost: false }).errorBoost).toBe(false);
  });

  it.each([
    [{ errorBoost: true }, 'errorBoost'],
    [{ errorBoost: null }, 'errorBoost'],
    [{ errorBoost: [] }, 'errorBoost'],
    [{ errorBoost: { targetErrorSamplesPerSecond: 0 } }, 'errorBoost.targetErrorSamplesPerSecond'],
    [{ errorBoost: { targetErrorSamplesPerSecond: '2' } }, 'errorBoost.targetErrorSamplesPerSecond'],
    [{ errorBoost: { maxSamplingProbability: 1.5 } }, 'errorBoost.maxSamplingProbability'],
    [{ errorBoost: { maxSamplingProbability: 0 } }, 'errorBoost.maxSamplingProbability'],
    [{ errorBoost: { cooldown: '300' } }, 'errorBoost.cooldown'],
    [{ errorBoost: { cooldown: 300 } }, 'errorBoost.cooldown'],
    [{ errorBoost: { boost: 2 } }, 'errorBoost.boost'],
    [{ operations: [{ operation: 'a', samplingRate: 0.1, errorBoost: false }] }, 'operations[0].errorBoost'],
    [{ operations: [{ operation: 'a', errorBoost: { cooldown: 'soon' } }] }, 'operations[0].errorBoost.cooldown'],
    [{ operations: [{ operation: 'a' }] }, 'operations[0]'],
  ])('refuses %j naming %s', (fields, field) => {
    expect(refused({ mode: 'adaptive', ...fields })?.field).toBe(field);
  });

  it('is refused outside adaptive mode', () => {
    expect(refused({ mode: 'probabilistic', samplingRate: 0.1, errorBoost: false })?.field).toBe('errorBoost');
  });
});
