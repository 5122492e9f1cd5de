import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPERATOR_TOKEN = 'operator-token-5f3a9c';
export const VIEWER_TOKEN = 'viewer-token-8d2e41';
export const ADMIN_TOKENS = `alice:operator:${OPERATOR_TOKEN},victor:viewer:${VIEWER_TOKEN}`;

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** One admin API caller: a token (or none) against one Samplane. */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  as(token: string | undefined): AdminClient {
    return new AdminClient(this.baseUrl, token);
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send('GET', path, undefined, headers);
  }

  put(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send('PUT', path, body, headers);
  }

  delete(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send('DELETE', path, undefined, headers);
  }

  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseJson(text), text };
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function policyPath(service: string): string {
  return `/api/v1/policies/${encodeURIComponent(service)}`;
}

export function sqliteDir(): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'samplane-e2e-policies-'));
  return { path: join(dir, 'samplane.sqlite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
