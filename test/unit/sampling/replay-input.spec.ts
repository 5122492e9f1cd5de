import { JAEGER_DEFAULTS } from '../../../src/sampling/adaptive-options';
import { ReplayInputError, parseReplayInput, runReplay } from '../../../src/sampling/replay';

const round = (throughput: unknown[] = [], intervalSeconds: unknown = 60): unknown => ({ intervalSeconds, throughput });
const record = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  service: 'A',
  operation: 'GET',
  count: 3,
  probabilities: [0.001],
  ...extra,
});
const valid = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  algorithm: 'jaeger',
  rounds: [round([record()])],
  ...extra,
});

const { service, operation } = record();

function errorOf(json: unknown): ReplayInputError {
  try {
    parseReplayInput(json);
  } catch (error) {
    if (error instanceof ReplayInputError) return error;
    throw error;
  }
  throw new Error('expected a ReplayInputError');
}

describe('parseReplayInput', () => {
  it('fills options not given with Jaeger defaults', () => {
    const input = parseReplayInput(valid({ options: { deltaTolerance: 0.1 } }));
    expect(input.options).toEqual({
      targetSamplesPerSecond: JAEGER_DEFAULTS.targetSamplesPerSecond,
      deltaTolerance: 0.1,
      calculationBuckets: JAEGER_DEFAULTS.calculationBuckets,
      aggregationBuckets: JAEGER_DEFAULTS.aggregationBuckets,
      initialSamplingProbability: JAEGER_DEFAULTS.initialSamplingProbability,
      minSamplingProbability: JAEGER_DEFAULTS.minSamplingProbability,
      increaseCap: JAEGER_DEFAULTS.increaseCap,
    });
    expect(parseReplayInput(valid()).options).toEqual(parseReplayInput(valid({ options: {} })).options);
  });

  it('formats reported probabilities as Jaeger keys them, ties half to even', () => {
    const input = parseReplayInput(valid({ rounds: [round([record({ probabilities: [0.0078125, 1, 2.5e-7] })])] }));
    expect(input.rounds[0].throughput[0].probabilities).toEqual(['0.007812', '1.000000', '0.000000']);
  });

  it('takes a record without probabilities as reporting none, and allows no rounds', () => {
    const { count } = record();
    expect(parseReplayInput(valid({ rounds: [round([{ service, operation, count }])] })).rounds[0].throughput).toEqual([
      { service: 'A', operation: 'GET', count: 3, probabilities: [] },
    ]);
    expect(runReplay(parseReplayInput(valid({ rounds: [] })))).toEqual({ rounds: [] });
  });

  const withOptions = (options: unknown): unknown => valid({ options });
  const withRecord = (extra: Record<string, unknown>): unknown => valid({ rounds: [round([record(extra)])] });
  const recordField = (field: string, reason: string): string => `rounds[0].throughput[0].${field}: ${reason}`;
  it.each<[string, unknown, string]>([
    ['not an object', [], '(root): expected an object'],
    ['null', null, '(root): expected an object'],
    ['no algorithm', { rounds: [] }, 'algorithm: expected one of "jaeger", "samplane"'],
    ['an unknown algorithm', valid({ algorithm: 'pid' }), 'algorithm: expected one of "jaeger", "samplane"'],
    ['a misspelt field', valid({ round: [] }), 'round: unknown field'],
    ['no rounds', { algorithm: 'jaeger' }, 'rounds: expected a list'],
    ['options not an object', withOptions(1), 'options: expected an object'],
    ['an unknown option', withOptions({ targetQps: 1 }), 'options.targetQps: unknown field'],
    [
      'a zero target',
      withOptions({ targetSamplesPerSecond: 0 }),
      'options.targetSamplesPerSecond: expected a positive number',
    ],
    [
      'a string option',
      withOptions({ deltaTolerance: '0.3' }),
      'options.deltaTolerance: expected a non-negative number',
    ],
    [
      'a negative tolerance',
      withOptions({ deltaTolerance: -0.1 }),
      'options.deltaTolerance: expected a non-negative number',
    ],
    [
      'fractional buckets',
      withOptions({ calculationBuckets: 1.5 }),
      'options.calculationBuckets: expected a positive integer',
    ],
    ['zero buckets', withOptions({ aggregationBuckets: 0 }), 'options.aggregationBuckets: expected a positive integer'],
    [
      'an initial probability of 0',
      withOptions({ initialSamplingProbability: 0 }),
      'options.initialSamplingProbability: expected a number in (0, 1]',
    ],
    [
      'a minimum above 1',
      withOptions({ minSamplingProbability: 1.5 }),
      'options.minSamplingProbability: expected a number in [0, 1]',
    ],
    ['a zero cap', withOptions({ increaseCap: 0 }), 'options.increaseCap: expected a positive number'],
    ['a non-finite option', withOptions({ increaseCap: Infinity }), 'options.increaseCap: expected a positive number'],
    ['a round not an object', valid({ rounds: [round(), 'x'] }), 'rounds[1]: expected an object'],
    ['no interval', valid({ rounds: [{ throughput: [] }] }), 'rounds[0].intervalSeconds: expected a positive number'],
    ['a zero interval', valid({ rounds: [round([], 0)] }), 'rounds[0].intervalSeconds: expected a positive number'],
    [
      'an unknown round field',
      valid({ rounds: [{ intervalSeconds: 60, throughput: [], delay: 1 }] }),
      'rounds[0].delay: unknown field',
    ],
    [
      'throughput not a list',
      valid({ rounds: [round(), { intervalSeconds: 60, throughput: {} }] }),
      'rounds[1].throughput: expected a list',
    ],
    [
      'a record not an object',
      valid({ rounds: [round([record(), 7])] }),
      'rounds[0].throughput[1]: expected an object',
    ],
    ['an empty service', withRecord({ service: '' }), recordField('service', 'expected a non-empty string')],
    ['a numeric operation', withRecord({ operation: 5 }), recordField('operation', 'expected a non-empty string')],
    [
      'a negative count',
      valid({ rounds: [round(), round(), round([record(), record({ count: -1 })])] }),
      'rounds[2].throughput[1].count: expected a non-negative integer',
    ],
    ['a fractional count', withRecord({ count: 1.5 }), recordField('count', 'expected a non-negative integer')],
    [
      'a missing count',
      valid({ rounds: [round([{ service, operation }])] }),
      recordField('count', 'expected a non-negative integer'),
    ],
    ['probabilities not a list', withRecord({ probabilities: 0.1 }), recordField('probabilities', 'expected a list')],
    [
      'a string probability',
      withRecord({ probabilities: [0.1, '0.2'] }),
      recordField('probabilities[1]', 'expected a number'),
    ],
    ['an unknown record field', withRecord({ sampled: 1 }), recordField('sampled', 'unknown field')],
  ])('rejects %s, naming the field', (_why, json, message) => {
    const error = errorOf(json);
    expect(error.message).toBe(message);
    expect(message.startsWith(error.path)).toBe(true);
  });

  it('treats __proto__ in the document as an unknown field, not as a prototype', () => {
    expect(errorOf(JSON.parse('{"algorithm":"jaeger","rounds":[],"__proto__":{"x":1}}')).message).toBe(
      '__proto__: unknown field',
    );
  });
});
