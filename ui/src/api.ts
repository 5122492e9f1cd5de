/** The admin API as the dashboard uses it: the session's token on every call, errors as values it can show. */

const TOKEN_KEY = 'samplane.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** A refused call: the status, and for a 400 the field the API names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Answer<T> {
  body: T;
  etag: string | null;
  status: number;
}

type Unauthorized = (message: string) => void;
let onUnauthorized: Unauthorized = () => undefined;

/** Who hears of a 401: the app, which signs the user out with the API's message. */
export function whenUnauthorized(listener: Unauthorized): void {
  onUnauthorized = listener;
}

export async function call<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const token = storedToken();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const body = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const problem = (body ?? {}) as { message?: string; field?: string };
    const error = new ApiError(response.status, problem.message ?? `${response.status} ${response.statusText}`, problem.field);
    if (response.status === 401) onUnauthorized(error.message);
    throw error;
  }
  return { body: body as T, etag: response.headers.get('etag'), status: response.status };
}

export const get = async <T>(path: string): Promise<T> => (await call<T>('GET', path)).body;

export const enc = encodeURIComponent;

export interface Session {
  name: string;
  role: 'viewer' | 'operator';
}

export interface ServiceSummary {
  service: string;
  source: string;
  operations: number;
  requestsPerSecond: number;
  sampledPerSecond: number;
  errorRate: number;
  boostedOperations: string[];
}

export interface ServicePage {
  items: ServiceSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface EngineStatus {
  replica: string;
  thisReplicaLeads: boolean;
  leader: string | null;
  algorithm: string;
  calculationIntervalSeconds: number;
  lastCalculation: { at: number; durationMs: number; replica: string; version: number; ageSeconds: number } | null;
  snapshot: { version: number; computedAt: string | null; ageSeconds: number | null };
  dependencies: Record<string, { status: 'up' | 'down'; kind?: string; reason?: string }>;
  fleet: { services: number; operations: number; requestsPerSecond: number; sampledPerSecond: number };
}

export interface OperationExplanation {
  operation: string;
  probability: number | null;
  source: string;
  requestsPerSecond: number | null;
  sampledPerSecond: number | null;
  errorRate: number | null;
  boosted?: boolean;
  reason: string;
}

export interface ServiceExplanation {
  service: string;
  source: string;
  computedAt: string | null;
  snapshotVersion: number;
  policy: { service: string; policy: Policy } | null;
  operations: OperationExplanation[];
}

export interface HistoryPoint {
  at: string;
  requestsPerSecond: number;
  sampledPerSecond: number;
  expectedSampledPerSecond: number;
  budgetTracesPerSecond?: number;
  targetSamplesPerSecond?: number;
  operations: { operation: string; probability: number; requestsPerSecond: number; sampledPerSecond: number; errorRate: number }[];
}

export interface ServiceHistory {
  service: string;
  calculationIntervalSeconds: number;
  points: HistoryPoint[];
}

export type ErrorBoost = false | { targetErrorSamplesPerSecond?: number; maxSamplingProbability?: number; cooldown?: string };

export interface Policy {
  mode: 'adaptive' | 'probabilistic' | 'ratelimiting';
  samplingRate?: number;
  maxTracesPerSecond?: number;
  targetSamplesPerSecond?: number;
  budgetTracesPerSecond?: number;
  minSamplingProbability?: number;
  maxSamplingProbability?: number;
  lowerBoundTracesPerSecond?: number;
  errorBoost?: ErrorBoost;
  operations?: { operation: string; samplingRate?: number; targetSamplesPerSecond?: number }[];
  description?: string;
}

export interface ServedRate {
  probability: number | null;
  expectedSampledPerSecond: number;
}

export interface PolicyPreview {
  service: string;
  buckets: number;
  operations: { operation: string; requestsPerSecond: number; current: ServedRate; draft: ServedRate }[];
  total: {
    requestsPerSecond: number;
    current: { expectedSampledPerSecond: number };
    draft: { expectedSampledPerSecond: number };
    budgetTracesPerSecond?: number;
  };
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: 'create' | 'replace' | 'delete';
  service: string;
  version: number;
  before: Policy | null;
  after: Policy | null;
}

export interface AuditPage {
  items: AuditEntry[];
  next: number | null;
}
