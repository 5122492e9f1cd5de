import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { changes } from '../src/diff';
import { AuditPage } from '../src/pages/audit';
import { Overview } from '../src/pages/overview';
import { fakeApi } from './fake-api';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ENGINE = {
  replica: 'r1',
  thisReplicaLeads: true,
  leader: 'r1',
  algorithm: 'samplane',
  calculationIntervalSeconds: 60,
  lastCalculation: { at: 0, durationMs: 12.34, replica: 'r1', version: 7, ageSeconds: 3 },
  snapshot: { version: 7, computedAt: '2026-01-01T00:00:00Z', ageSeconds: 3 },
  dependencies: { store: { status: 'up', kind: 'redis' }, database: { status: 'down', kind: 'postgres', reason: 'timeout' } },
  fleet: { services: 10000, operations: 52000, requestsPerSecond: 123456, sampledPerSecond: 987 },
};

describe('fleet overview', () => {
  it('pages and searches 10,000 services, links each by name, and shows the engine', async () => {
    const calls = fakeApi((call) => {
      if (call.url === '/api/v1/engine') return { status: 200, body: ENGINE };
      const query = new URL(call.url, 'http://x').searchParams;
      const offset = Number(query.get('offset'));
      const items = Array.from({ length: 50 }, (_, i) => ({
        service: `svc-${String(offset + i).padStart(5, '0')}`,
        source: 'adaptive',
        operations: 3,
        requestsPerSecond: 10,
        sampledPerSecond: 1,
        errorRate: 0.01,
        boostedOperations: i === 0 ? ['GET /x'] : [],
      }));
      return { status: 200, body: { items, total: query.get('search') ? 1 : 10000, limit: 50, offset } };
    });
    render(<Overview />);
    const first = await screen.findByRole('link', { name: 'svc-00000' });
    expect(first.getAttribute('href')).toBe('/ui/services/svc-00000');
    expect(screen.getByText('1–50 of 10,000')).toBeTruthy();
    expect(screen.getByText('12.3', { exact: false }).textContent).toBe('3 s ago, took 12.3 ms');
    expect(screen.getByText('postgres: down (timeout)')).toBeTruthy();
    expect(screen.getByText('10,000')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('link', { name: 'svc-00050' });
    fireEvent.input(screen.getByLabelText('Search services'), { target: { value: 'svc-01' } });
    await waitFor(() => expect(calls.some((c) => c.url.includes('search=svc-01') && c.url.includes('offset=0'))).toBe(true));
  });
});

describe('audit', () => {
  it('shows who changed what, newest first, with a readable before and after', async () => {
    const calls = fakeApi(() => ({
      status: 200,
      body: {
        items: [
          { id: 2, at: '2026-01-02T00:00:00Z', actor: 'alice', action: 'replace', service: 'checkout', version: 2, before: { mode: 'adaptive', targetSamplesPerSecond: 5 }, after: { mode: 'adaptive', targetSamplesPerSecond: 8 } },
          { id: 1, at: '2026-01-01T00:00:00Z', actor: 'alice', action: 'create', service: 'checkout', version: 1, before: null, after: { mode: 'adaptive', targetSamplesPerSecond: 5 } },
        ],
        next: 1,
      },
    }));
    render(<AuditPage service="checkout" />);
    const rows = await screen.findAllByRole('row');
    expect(rows[1].textContent).toMatch(/alice.*replace.*checkout.*targetSamplesPerSecond: 5 → 8/);
    expect(calls[0].url).toBe('/api/v1/audit?limit=25&service=checkout');
    fireEvent.click(screen.getByRole('button', { name: 'Older' }));
    await waitFor(() => expect(calls.at(-1)?.url).toBe('/api/v1/audit?limit=25&service=checkout&before=1'));
  });

  it('lists every changed field by path', () => {
    expect(changes(null, { mode: 'adaptive', operations: [{ operation: 'a', samplingRate: 0 }] })).toEqual([
      { path: 'mode', after: '"adaptive"' },
      { path: 'operations[0].operation', after: '"a"' },
      { path: 'operations[0].samplingRate', after: '0' },
    ]);
    expect(changes({ mode: 'adaptive', samplingRate: 1 }, { mode: 'adaptive' })).toEqual([{ path: 'samplingRate', before: '1' }]);
  });
});
