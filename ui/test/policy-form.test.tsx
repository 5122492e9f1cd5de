import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PolicyForm } from '../src/pages/policy-form';
import { fakeApi } from './fake-api';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const EXISTING = { policy: { mode: 'adaptive' as const, targetSamplesPerSecond: 5 }, etag: '"3"' };

function open(editing = EXISTING) {
  const done = vi.fn();
  render(<PolicyForm service="checkout" editing={editing} onDone={done} onCancel={() => undefined} />);
  return done;
}

describe('policy form', () => {
  it('labels every field and saves with the ETag it was opened with', async () => {
    const calls = fakeApi((call) => (call.method === 'PUT' ? { status: 200, body: call.body, headers: { etag: '"4"' } } : undefined));
    const done = open();
    const target = screen.getByLabelText('Target samples per second') as HTMLInputElement;
    expect(target.value).toBe('5');
    fireEvent.input(target, { target: { value: '12.5' } });
    fireEvent.input(screen.getByLabelText('Service budget (traces per second)'), { target: { value: '40' } });
    fireEvent.input(screen.getByLabelText('Description'), { target: { value: 'launch week' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(done).toHaveBeenCalledWith('Policy saved (version 4).'));
    expect(calls[0]).toMatchObject({
      method: 'PUT',
      url: '/api/v1/policies/checkout',
      headers: { 'if-match': '"3"' },
      body: { mode: 'adaptive', targetSamplesPerSecond: 12.5, budgetTracesPerSecond: 40, description: 'launch week' },
    });
  });

  it('creates with If-None-Match, and pins operations', async () => {
    const calls = fakeApi((call) => (call.method === 'PUT' ? { status: 201, body: call.body, headers: { etag: '"1"' } } : undefined));
    open({ policy: null as never, etag: null as never });
    expect(screen.getByRole('heading', { name: 'Create a policy for checkout' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add operation' }));
    fireEvent.input(screen.getByLabelText('Operation 1 name'), { target: { value: 'GET /health' } });
    fireEvent.input(screen.getByLabelText('Operation 1 pinned sampling rate'), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0].headers).toMatchObject({ 'if-none-match': '*' });
    expect(calls[0].body).toEqual({ mode: 'adaptive', operations: [{ operation: 'GET /health', samplingRate: 0 }] });
  });

  it('shows a 400 next to the field it names, even inside an operation', async () => {
    fakeApi(() => ({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', field: 'operations[0].samplingRate', message: 'operations[0].samplingRate: must be from 0 to 1' },
    }));
    open({ policy: { mode: 'adaptive', operations: [{ operation: 'a', samplingRate: 2 }] } as never, etag: '"1"' });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const message = await screen.findByText('operations[0].samplingRate: must be from 0 to 1');
    const input = screen.getByLabelText('Operation 1 pinned sampling rate');
    expect(message.id).toBe('error-operations[0].samplingRate');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toContain(message.id);
    expect(document.activeElement).toBe(input);
  });

  it('on a conflict says who changed the policy, saves nothing, and reloads on request', async () => {
    let reloaded = false;
    fakeApi((call) => {
      if (call.method === 'PUT') return { status: 412, body: { statusCode: 412, message: 'If-Match did not hold' } };
      if (call.url.startsWith('/api/v1/audit')) {
        return { status: 200, body: { items: [{ id: 9, at: '2026-01-01T00:00:00Z', actor: 'bob', action: 'replace', service: 'checkout', version: 4 }], next: null } };
      }
      if (call.method === 'GET' && call.url === '/api/v1/policies/checkout') {
        reloaded = true;
        return { status: 200, body: { mode: 'adaptive', targetSamplesPerSecond: 9 }, headers: { etag: '"4"' } };
      }
      return undefined;
    });
    const done = open();
    fireEvent.input(screen.getByLabelText('Target samples per second'), { target: { value: '7' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/changed by bob \(replace, version 4, .*\) since this form was opened\. Nothing was saved\./);
    expect(done).not.toHaveBeenCalled();
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Reload the policy' }));
    await waitFor(() => expect((screen.getByLabelText('Target samples per second') as HTMLInputElement).value).toBe('9'));
    expect(reloaded).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('previews the draft beside what is served now', async () => {
    const calls = fakeApi((call) =>
      call.url.endsWith('/preview')
        ? {
            status: 200,
            body: {
              service: 'checkout',
              buckets: 3,
              operations: [
                { operation: 'GET /cart', requestsPerSecond: 1000, current: { probability: 0.005, expectedSampledPerSecond: 5 }, draft: { probability: 0.02, expectedSampledPerSecond: 20 } },
              ],
              total: { requestsPerSecond: 1000, current: { expectedSampledPerSecond: 5 }, draft: { expectedSampledPerSecond: 20 } },
            },
          }
        : undefined,
    );
    open();
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const region = await screen.findByRole('region', { name: 'Preview on recent traffic' });
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/policies/checkout/preview', body: { mode: 'adaptive', targetSamplesPerSecond: 5 } });
    const cells = [...region.querySelectorAll('tbody tr td')].map((c) => c.textContent);
    expect(cells).toEqual(['1,000', '0.005', '5.0', '0.02', '20.0']);
  });

  it('deletes only after confirmation', async () => {
    const calls = fakeApi((call) => (call.method === 'DELETE' ? { status: 204 } : undefined));
    const done = open();
    fireEvent.click(screen.getByRole('button', { name: 'Delete policy' }));
    expect(calls).toHaveLength(0);
    expect(screen.getByRole('alertdialog').textContent).toMatch(/Delete the policy for checkout\?/);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(done).toHaveBeenCalledWith('Policy deleted.'));
    expect(calls[0]).toMatchObject({ method: 'DELETE', headers: { 'if-match': '"3"' } });
  });
});
