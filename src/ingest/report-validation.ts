import { INGEST_LIMITS } from './ingest-limits';
import { FieldError } from '../errors/domain-error';

export interface OperationReport {
  operation: string;
  /** Root spans (requests) seen in the window, sampled or not. */
  count: number;
  sampled: number;
  /** Errors among `count`, or among `sampled` when the reporter sent `sampledErrors`. */
  errors: number;
  /** How many requests the errors are of: `count` (every outcome known) or `sampled`. */
  outcomes: number;
  /** The rate the SDK applied, when it said. */
  probability: number | undefined;
}

export interface ThroughputReport {
  service: string;
  instance: string | undefined;
  windowSeconds: number | undefined;
  operations: OperationReport[];
}

/**
 * Validates a throughput report as either transport delivers it (parsed JSON, or a decoded
 * protobuf object). The whole document is checked before anything is counted, so a bad one
 * leaves no trace. Unknown fields are ignored: a newer reporter must not be refused by an
 * older Samplane for a field it cannot use.
 */
export function validateReport(document: unknown): ThroughputReport {
  const root = object(document, '(body)');
  const service = name(root.service, 'service', INGEST_LIMITS.maxServiceLength);
  const instance =
    root.instance === undefined || root.instance === null || root.instance === ''
      ? undefined
      : name(root.instance, 'instance', INGEST_LIMITS.maxInstanceLength);
  let windowSeconds: number | undefined;
  if (root.windowSeconds !== undefined && root.windowSeconds !== null) {
    windowSeconds = finite(root.windowSeconds, 'windowSeconds');
    if (windowSeconds <= 0 || windowSeconds > INGEST_LIMITS.maxWindowSeconds) {
      throw new FieldError('windowSeconds', `must be greater than 0 and at most ${INGEST_LIMITS.maxWindowSeconds}`);
    }
  }
  if (!Array.isArray(root.operations)) throw new FieldError('operations', 'expected a list');
  if (root.operations.length > INGEST_LIMITS.maxOperationsPerReport) {
    throw new FieldError(
      'operations',
      `${root.operations.length} entries; at most ${INGEST_LIMITS.maxOperationsPerReport} per report`,
    );
  }
  const operations = root.operations.map((entry, index) => operation(entry, `operations[${index}]`));
  return { service, instance, windowSeconds, operations };
}

function operation(value: unknown, path: string): OperationReport {
  const entry = object(value, path);
  const operationName = name(entry.operation, `${path}.operation`, INGEST_LIMITS.maxOperationLength);
  const count = counter(entry.count, `${path}.count`);
  const sampled = counter(entry.sampled, `${path}.sampled`);
  if (sampled > count) throw new FieldError(`${path}.sampled`, `${sampled} is more than count (${count})`);
  const errors = entry.errors === undefined || entry.errors === null ? 0 : counter(entry.errors, `${path}.errors`);
  if (errors > count) throw new FieldError(`${path}.errors`, `${errors} is more than count (${count})`);
  // An SDK sees how a request ended only for sampled spans: it reports those errors as such.
  const given = (field: unknown) => field !== undefined && field !== null;
  const sampledErrors = given(entry.sampledErrors) ? counter(entry.sampledErrors, `${path}.sampledErrors`) : undefined;
  // gRPC always carries `errors` (0 when unset), so only a non-zero one conflicts.
  if (sampledErrors !== undefined && given(entry.errors) && entry.errors !== 0) {
    throw new FieldError(`${path}.sampledErrors`, 'set either errors or sampledErrors, not both');
  }
  if (sampledErrors !== undefined && sampledErrors > sampled) {
    throw new FieldError(`${path}.sampledErrors`, `${sampledErrors} is more than sampled (${sampled})`);
  }
  let probability: number | undefined;
  if (entry.probability !== undefined && entry.probability !== null) {
    probability = finite(entry.probability, `${path}.probability`);
    if (probability < 0 || probability > 1) {
      throw new FieldError(`${path}.probability`, `${probability} is not a probability (0 to 1)`);
    }
  }
  return sampledErrors === undefined
    ? { operation: operationName, count, sampled, errors, outcomes: count, probability }
    : { operation: operationName, count, sampled, errors: sampledErrors, outcomes: sampled, probability };
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldError(field, 'expected an object');
  }
  return value as Record<string, unknown>;
}

function name(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string') throw new FieldError(field, 'expected a string');
  if (value.trim() === '') throw new FieldError(field, 'must not be empty');
  // Characters, not UTF-16 units, as the admin API counts them: a name a policy can hold must
  // be reportable too.
  if (value.length > maxLength) {
    const characters = [...value].length;
    if (characters > maxLength) throw new FieldError(field, `${characters} characters; at most ${maxLength}`);
  }
  return value;
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new FieldError(field, 'expected a number');
  return value;
}

function counter(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new FieldError(field, 'expected a non-negative integer');
  }
  return value;
}
