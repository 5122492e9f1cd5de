import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/app';
import { SignIn } from '../src/pages/sign-in';
import { fakeApi } from './fake-api';

afterEach(() => {
  cleanup();
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe('sign-in', () => {
  it('sends the token as a bearer token and keeps it in the tab', async () => {
    const calls = fakeApi((call) => (call.url === '/api/v1/session' ? { status: 200, body: { name: 'alice', role: 'operator' } } : undefined));
    const signedIn = vi.fn();
    render(<SignIn onSignedIn={signedIn} />);
    fireEvent.input(screen.getByLabelText('Token'), { target: { value: 'secret-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(signedIn).toHaveBeenCalledWith({ name: 'alice', role: 'operator' }));
    expect(calls[0].headers.authorization).toBe('Bearer secret-1');
    expect(sessionStorage.getItem('samplane.token')).toBe('secret-1');
  });

  it('says a refused token was refused and forgets it', async () => {
    fakeApi(() => ({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'invalid token' } }));
    const signedIn = vi.fn();
    render(<SignIn onSignedIn={signedIn} />);
    fireEvent.input(screen.getByLabelText('Token'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That token was refused: invalid token');
    expect(screen.getByLabelText('Token').getAttribute('aria-invalid')).toBe('true');
    expect(signedIn).not.toHaveBeenCalled();
    expect(sessionStorage.getItem('samplane.token')).toBeNull();
  });

  it('goes back to sign-in with a message when a call answers 401', async () => {
    sessionStorage.setItem('samplane.token', 'was-good');
    let revoked = false;
    fakeApi((call) => {
      if (revoked) return { status: 401, body: { message: 'invalid token' } };
      if (call.url === '/api/v1/session') return { status: 200, body: { name: 'victor', role: 'viewer' } };
      if (call.url.startsWith('/api/v1/services')) return { status: 200, body: { items: [], total: 0, limit: 50, offset: 0 } };
      return undefined;
    });
    render(<App />);
    await screen.findByRole('button', { name: 'Sign out' });
    expect(screen.queryByRole('button', { name: /Edit policy|Create policy/ })).toBeNull();
    revoked = true;
    fireEvent.input(screen.getByLabelText('Search services'), { target: { value: 'x' } });
    expect((await screen.findByRole('status')).textContent).toMatch(/You were signed out: invalid token/);
    expect(screen.getByLabelText('Token')).toBeTruthy();
    expect(sessionStorage.getItem('samplane.token')).toBeNull();
  });
});
