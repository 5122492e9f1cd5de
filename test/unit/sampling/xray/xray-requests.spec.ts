import { XRayRequestError, validateRulesRequest, validateTargetsRequest } from '../../../../src/sampling/xray/xray-requests';
import { samplingTargets } from '../../../../src/sampling/xray/xray-targets';

const doc = (overrides: Record<string, unknown> = {}) => ({
  RuleName: 'checkout',
  ClientID: 'abcdef0123456789abcdef01',
  Timestamp: 1_764_000_000,
  RequestCount: 100,
  SampledCount: 5,
  BorrowCount: 1,
  ...overrides,
});

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof XRayRequestError) return error.field;
    throw error;
  }
  return undefined;
}

describe('X-Ray request documents', () => {
  it.each([undefined, {}, { NextToken: null }])('takes %j as a rules request', (body) => {
    expect(() => validateRulesRequest(body)).not.toThrow();
  });

  it.each([[[]], ['text'], [null], [42]])('refuses %j as a rules request', (body) => {
    expect(fieldOf(() => validateRulesRequest(body))).toBe('(body)');
  });

  it.each([undefined, {}, { SamplingStatisticsDocuments: [] }, { SamplingStatisticsDocuments: null }])(
    'reads %j as no statistics',
    (body) => {
      expect(validateTargetsRequest(body)).toEqual([]);
    },
  );

  it.each([
    [{ SamplingStatisticsDocuments: {} }, 'SamplingStatisticsDocuments'],
    [{ SamplingStatisticsDocuments: Array.from({ length: 26 }, () => doc()) }, 'SamplingStatisticsDocuments'],
    [{ SamplingStatisticsDocuments: [doc(), 'x'] }, 'SamplingStatisticsDocuments[1]'],
    [{ SamplingStatisticsDocuments: [doc({ RuleName: '' })] }, 'SamplingStatisticsDocuments[0].RuleName'],
    [{ SamplingStatisticsDocuments: [doc({ ClientID: 'xyz' })] }, 'SamplingStatisticsDocuments[0].ClientID'],
    [{ SamplingStatisticsDocuments: [doc({ Timestamp: '2026-01-01' })] }, 'SamplingStatisticsDocuments[0].Timestamp'],
    [{ SamplingStatisticsDocuments: [doc({ RequestCount: -1 })] }, 'SamplingStatisticsDocuments[0].RequestCount'],
    [{ SamplingStatisticsDocuments: [doc({ RequestCount: 1.5 })] }, 'SamplingStatisticsDocuments[0].RequestCount'],
    [{ SamplingStatisticsDocuments: [doc({ SampledCount: 101 })] }, 'SamplingStatisticsDocuments[0].SampledCount'],
    [{ SamplingStatisticsDocuments: [doc({ BorrowCount: '1' })] }, 'SamplingStatisticsDocuments[0].BorrowCount'],
  ])('refuses %j naming %s', (body, field) => {
    expect(fieldOf(() => validateTargetsRequest(body))).toBe(field);
  });

  it('takes 25 documents', () => {
    expect(validateTargetsRequest({ SamplingStatisticsDocuments: Array.from({ length: 25 }, () => doc()) })).toHaveLength(25);
  });

  it('answers targets for known rules, unprocessed for others, TTL past the interval', () => {
    const documents = validateTargetsRequest({ SamplingStatisticsDocuments: [doc(), doc({ RuleName: 'gone' })] });
    const populations = new Map([
      ['checkout', { ruleName: 'checkout', service: 'checkout', operation: '*', mode: 'fixed' as const, rate: 0.3 }],
    ]);
    const answer = samplingTargets(documents, populations, () => ({ requestsPerSecond: 10 }), 1_000, 900);
    expect(answer).toEqual({
      SamplingTargetDocuments: [{ RuleName: 'checkout', FixedRate: 0.3, ReservoirQuota: 0, ReservoirQuotaTTL: 1_015, Interval: 10 }],
      LastRuleModification: 900,
      UnprocessedStatistics: [{ RuleName: 'gone', ErrorCode: '400', Message: 'no such rule; fetch the rules again' }],
    });
  });
});
