import { serviceInUrl } from '../../../src/admin/service-path';
import { FieldError } from '../../../src/errors/domain-error';

describe('serviceInUrl', () => {
  const PREFIX = '/api/v1/services';

  it('decodes the name between the prefix and the suffix', () => {
    expect(serviceInUrl('/api/v1/services/checkout/history', PREFIX, '/history')).toBe('checkout');
    expect(serviceInUrl('/api/v1/services/a%2Fhistory/history?x=1', PREFIX, '/history')).toBe('a/history');
    expect(serviceInUrl(`/api/v1/services/${encodeURIComponent('é'.repeat(200))}/history`, PREFIX, '/history')).toBe('é'.repeat(200));
  });

  it('tells an encoded slash from a path separator', () => {
    expect(serviceInUrl('/api/v1/services/a%2Fhistory', PREFIX, '/history')).toBeUndefined();
    expect(serviceInUrl('/api/v1/services//history', PREFIX, '/history')).toBeUndefined();
    expect(serviceInUrl('/api/v1/policies/a/history', PREFIX, '/history')).toBeUndefined();
  });

  it('refuses broken encoding naming the service', () => {
    expect(() => serviceInUrl('/api/v1/services/%E0%A4%A/history', PREFIX, '/history')).toThrow(FieldError);
  });
});
