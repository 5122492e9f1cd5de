import type { CountedOperation } from '../sampling/counted-operation';

/** One operation's counts summed over an interval, every field explicit. */
export interface OperationCounts {
  sampled: number;
  requests: number;
  /** The part of `requests` counted exactly. */
  exact: number;
  errors: number;
  /** Requests whose outcome was seen. */
  outcomes: number;
  /** Formatted probabilities seen; the union over replicas is not capped. */
  probabilities: Set<string>;
}

/** service → operation → counts. */
export type IntervalCounts = Map<string, Map<string, OperationCounts>>;

/** Adds one replica's record to `into`. */
export function addCounted(into: IntervalCounts, record: CountedOperation): void {
  addFields(
    into,
    record.service,
    record.operation,
    record.sampled,
    record.requests,
    record.exact ?? 0,
    record.errors,
    record.outcomes ?? record.requests,
    record.probabilities,
  );
}

export function addFields(
  into: IntervalCounts,
  service: string,
  operation: string,
  sampled: number,
  requests: number,
  exact: number,
  errors: number,
  outcomes: number,
  probabilities: Iterable<string>,
): void {
  let operations = into.get(service);
  if (!operations) {
    operations = new Map();
    into.set(service, operations);
  }
  const counts = operations.get(operation);
  if (!counts) {
    operations.set(operation, { sampled, requests, exact, errors, outcomes, probabilities: new Set(probabilities) });
    return;
  }
  counts.sampled += sampled;
  counts.requests += requests;
  counts.exact += exact;
  counts.errors += errors;
  counts.outcomes += outcomes;
  for (const p of probabilities) counts.probabilities.add(p);
}

/** Operations counted, over all services. */
export function operationCount(counts: IntervalCounts): number {
  let total = 0;
  for (const operations of counts.values()) total += operations.size;
  return total;
}

/** The counts as records, one per operation (`exact` and `outcomes` omitted where they add nothing). */
export function toCounted(counts: IntervalCounts): CountedOperation[] {
  const records: CountedOperation[] = [];
  for (const [service, operations] of counts) {
    for (const [operation, c] of operations) {
      records.push({
        service,
        operation,
        sampled: c.sampled,
        requests: c.requests,
        ...(c.exact > 0 && { exact: c.exact }),
        errors: c.errors,
        ...(c.outcomes !== c.requests && { outcomes: c.outcomes }),
        probabilities: [...c.probabilities],
      });
    }
  }
  return records;
}

/**
 * One flush's records of one shard as text: a JSON array per service per line,
 * `[service, operation, sampled, requests, exact, errors, outcomes, [probabilities], operation, …]`.
 * Appended to a slot's value as is, so a flush costs Redis one APPEND per shard, whatever the
 * number of operations, and names travel JSON-escaped.
 */
export function encodeFlush(records: CountedOperation[]): string {
  const byService = new Map<string, unknown[]>();
  for (const r of records) {
    let line = byService.get(r.service);
    if (!line) {
      line = [r.service];
      byService.set(r.service, line);
    }
    line.push(r.operation, r.sampled, r.requests, r.exact ?? 0, r.errors, r.outcomes ?? r.requests, r.probabilities);
  }
  let text = '';
  for (const line of byService.values()) text += `${JSON.stringify(line)}\n`;
  return text;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Adds every record of appended flush text to each of `targets` (of `service` alone, when
 * given); returns how many unreadable lines or records were skipped.
 */
export function decodeFlushes(text: string, targets: IntervalCounts[], service?: string): number {
  let skipped = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    let fields: unknown[];
    try {
      fields = JSON.parse(line) as unknown[];
    } catch {
      skipped++;
      continue;
    }
    if (!Array.isArray(fields) || typeof fields[0] !== 'string') {
      skipped++;
      continue;
    }
    const name = fields[0];
    if (service !== undefined && name !== service) continue;
    for (let i = 1; i + 6 < fields.length; i += 7) {
      const operation = fields[i];
      const probabilities = fields[i + 6];
      if (typeof operation !== 'string' || !Array.isArray(probabilities)) {
        skipped++;
        continue;
      }
      const sampled = count(fields[i + 1]);
      const requests = count(fields[i + 2]);
      const exact = count(fields[i + 3]);
      const errors = count(fields[i + 4]);
      const outcomes = count(fields[i + 5]);
      for (const into of targets) {
        addFields(into, name, operation, sampled, requests, exact, errors, outcomes, probabilities as string[]);
      }
    }
  }
  return skipped;
}
