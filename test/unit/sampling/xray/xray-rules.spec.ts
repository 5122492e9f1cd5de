import { buildXRayRules, parseRoute, ruleName } from '../../../../src/sampling/xray/xray-rules';
import type { XRayServiceInput } from '../../../../src/sampling/xray/xray-rules';

const ADAPTIVE_DEFAULT = { mode: 'adaptive' as const, rate: 0.001, targetTracesPerSecond: 1 };

describe('X-Ray rules from what Samplane serves', () => {
  const checkout: XRayServiceInput = {
    service: 'checkout',
    mode: 'adaptive',
    rate: 0.02,
    targetTracesPerSecond: 5,
    operations: [
      { operation: 'GET /cart/{id}', mode: 'adaptive', rate: 0.1 },
      { operation: 'POST /pay', mode: 'fixed', rate: 1 },
      { operation: 'process-queue', mode: 'adaptive', rate: 0.5 },
    ],
  };
  const pinned: XRayServiceInput = { service: 'billing', mode: 'fixed', rate: 0.3, targetTracesPerSecond: 0, operations: [] };
  const built = buildXRayRules([checkout, pinned], ADAPTIVE_DEFAULT);

  it('has a rule per service, per METHOD /path operation, and Default last at 10000', () => {
    expect(built.rules.map((r) => [r.ServiceName, r.HTTPMethod, r.URLPath, r.Priority, r.FixedRate])).toEqual([
      ['billing', '*', '*', 5000, 0.3],
      ['checkout', 'GET', '/cart/*', 1000, 0.1],
      ['checkout', 'POST', '/pay', 1000, 1],
      ['checkout', '*', '*', 5000, 0.02],
      ['*', '*', '*', 10000, 0.001],
    ]);
    expect(built.rules.at(-1)?.RuleName).toBe('Default');
  });

  it('writes every field aws-xray-sdk-core requires of a rule it keeps', () => {
    for (const rule of built.rules) {
      expect(rule).toMatchObject({ Version: 1, ResourceARN: '*', Attributes: {}, ServiceType: '*', Host: '*' });
      expect(rule.Priority).toBeGreaterThanOrEqual(1);
      expect(typeof rule.FixedRate).toBe('number');
      expect(rule.RuleName.length).toBeLessThanOrEqual(32);
    }
    expect(new Set(built.rules.map((r) => r.RuleName)).size).toBe(built.rules.length);
  });

  it('gives pinned rates no reservoir and adaptive fleets their target as reservoir size', () => {
    const byName = new Map(built.rules.map((r) => [r.RuleName, r]));
    expect(byName.get('billing')?.ReservoirSize).toBe(0);
    expect(byName.get('checkout')?.ReservoirSize).toBe(5);
    expect(byName.get(ruleName('checkout', 'POST /pay'))?.ReservoirSize).toBe(0);
  });

  it('counts each fleet where its rate comes from: the service rule as operation *, Default as service *', () => {
    expect(built.populations.get('checkout')).toMatchObject({ service: 'checkout', operation: '*', mode: 'adaptive', rate: 0.02 });
    expect(built.populations.get(ruleName('checkout', 'GET /cart/{id}'))).toMatchObject({ operation: 'GET /cart/{id}', rate: 0.1 });
    expect(built.populations.get('Default')).toMatchObject({ service: '*', operation: '*', mode: 'adaptive' });
  });

  it('changes its definition for a policy change but not for a computed rate', () => {
    const recomputed = buildXRayRules([{ ...checkout, rate: 0.04 }, pinned], ADAPTIVE_DEFAULT);
    expect(recomputed.definition).toBe(built.definition);
    const repinned = buildXRayRules([checkout, { ...pinned, rate: 0.6 }], ADAPTIVE_DEFAULT);
    expect(repinned.definition).not.toBe(built.definition);
    const newService = buildXRayRules([checkout, pinned, { ...pinned, service: 'new' }], ADAPTIVE_DEFAULT);
    expect(newService.definition).not.toBe(built.definition);
  });

  it.each([
    ['GET /cart', { method: 'GET', path: '/cart' }],
    ['DELETE /users/:id/roles/{role}', { method: 'DELETE', path: '/users/*/roles/*' }],
    ['get /cart', undefined],
    ['GET cart', undefined],
    ['FETCH /cart', undefined],
    ['process-queue', undefined],
  ])('reads %j as a route: %j', (operation, route) => {
    expect(parseRoute(operation)).toEqual(route);
  });

  it('names rules readably and uniquely within 32 characters', () => {
    expect(ruleName('checkout', '*')).toBe('checkout');
    expect(ruleName('Default', '*')).toMatch(/^Default-[0-9a-f]{8}$/);
    const long = ruleName('a-service-name-well-over-thirty-two-characters', '*');
    expect(long.length).toBeLessThanOrEqual(32);
    expect(ruleName('svc a&b', '*')).toMatch(/^svc_a_b-[0-9a-f]{8}$/);
    expect(ruleName('checkout', 'GET /a')).not.toBe(ruleName('checkout', 'GET /b'));
  });
});
