import type { CountedOperation } from '../sampling/counted-operation';
import { NO_PROBABILITIES, type OperationThroughput, unionProbabilities } from '../sampling/throughput';
import { COUNTS_PER_OPERATION } from './flush-line-scanner';
import { CLOSE, COMMA, JsonLineWriter, OPEN } from './json-line-writer';
import { COUNT, COUNT_WIDTH, PackedCounts, type ServiceCounts } from './packed-counts';

/** One operation's counts summed over an interval, every field explicit. */
export interface OperationCounts extends OperationThroughput {
  sampled: number;
  requests: number;
  /** The part of `requests` counted exactly. */
  exact: number;
  errors: number;
  /** Requests whose outcome was seen. */
  outcomes: number;
  /** Distinct formatted probabilities seen, never changed in place; the union over replicas is not capped. */
  probabilities: readonly string[];
  /** What a calculator counts (requests or sampled), set when the counts become its bucket; 0 until then. */
  count: number;
  /** The part of `requests` in the read's recent part (`ReadOptions.recentFrom`); 0 without one. */
  recent: number;
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
  probabilities: readonly string[],
  recent = 0,
): void {
  let operations = into.get(service);
  if (!operations) {
    operations = new Map();
    into.set(service, operations);
  }
  const counts = operations.get(operation);
  if (!counts) {
    // Held as given: lists are never changed in place, so a decoded record's own list serves.
    // `count` starts as -0, a double: set to a fraction later, a field that began as a small
    // integer would move every object to a new layout (~1 µs each, seconds at a million).
    operations.set(operation, { sampled, requests, exact, errors, outcomes, probabilities, count: -0, recent });
    return;
  }
  counts.sampled += sampled;
  counts.requests += requests;
  counts.exact += exact;
  counts.errors += errors;
  counts.outcomes += outcomes;
  counts.recent += recent;
  counts.probabilities = unionProbabilities(counts.probabilities, probabilities);
}

/** The counts as records, one per operation (`exact` and `outcomes` omitted where they add nothing). */
export function toCounted(counts: IntervalCounts): CountedOperation[] {
  const records: CountedOperation[] = [];
  for (const [service, operations] of counts) {
    for (const [operation, c] of operations) records.push(countedRecord(service, operation, c.sampled, c.requests, c.exact, c.errors, c.outcomes, [...c.probabilities]));
  }
  return records;
}

/**
 * One operation's counts as a record (`exact` and `outcomes` omitted where they add nothing),
 * holding `probabilities` as given.
 */
export function countedRecord(
  service: string,
  operation: string,
  sampled: number,
  requests: number,
  exact: number,
  errors: number,
  outcomes: number,
  probabilities: string[],
): CountedOperation {
  // Assigned rather than spread: a flush builds tens of thousands of these every second.
  const record: CountedOperation = { service, operation, sampled, requests, errors, probabilities };
  if (exact > 0) record.exact = exact;
  if (outcomes !== requests) record.outcomes = outcomes;
  return record;
}

/**
 * One service's summed counts of [from, to) as a line of the flush text, spread over the whole
 * interval: read back over the same interval, every count is the sum again, to a millionth.
 * (Sums of spread counts carry 17 digits; 15 or fewer are read without a string each.)
 */
function writeIntervalLine(writer: JsonLineWriter, service: string, operations: Map<string, OperationCounts>, from: number, to: number): Buffer {
  writeLineHead(writer, service, from, to);
  for (const [operation, c] of operations) {
    writer.byte(COMMA);
    writer.string(operation);
    for (const value of [c.sampled, c.requests, c.exact, c.errors, c.outcomes]) {
      writer.byte(COMMA);
      writer.number(millionths(value));
    }
    writer.byte(COMMA);
    writer.strings(c.probabilities);
  }
  writer.byte(CLOSE);
  return writer.end();
}

/**
 * `writeIntervalLine` of a service's packed counts. Counts read without lists keep, as each
 * list, its lowest probability alone: what a calculator that reads them that way uses (a
 * `jaeger` leader after a switch of algorithm gets those lists in its history, where its
 * adaptive check does not look: it reads the newest interval's own).
 */
function writePackedIntervalLine(writer: JsonLineWriter, service: string, counts: ServiceCounts, from: number, to: number): Buffer {
  writeLineHead(writer, service, from, to);
  const { ops, values, lists } = counts;
  for (let row = 0; row < ops.length; row++) {
    const at = row * COUNT_WIDTH;
    writer.byte(COMMA);
    writer.string(ops[row]);
    for (let k = 0; k < COUNTS_PER_OPERATION; k++) {
      writer.byte(COMMA);
      writer.number(millionths(values[at + k]));
    }
    writer.byte(COMMA);
    const lowest = values[at + COUNT.lowest];
    writer.strings(lists[row] === NO_PROBABILITIES && Number.isFinite(lowest) ? [String(lowest)] : lists[row]);
  }
  writer.byte(CLOSE);
  return writer.end();
}

function writeLineHead(writer: JsonLineWriter, service: string, from: number, to: number): void {
  writer.begin();
  writer.byte(OPEN);
  writer.string(service);
  writer.byte(COMMA);
  writer.number(from);
  writer.byte(COMMA);
  writer.number(to - from);
}

/** The services of counts of either form. */
export function servicesOf(counts: IntervalCounts | PackedCounts): Iterable<string> {
  return counts instanceof PackedCounts ? counts.services.keys() : counts.keys();
}

/**
 * A service's kept line of [from, to) as UTF-8, for counts of either form (undefined for a
 * service they do not hold): a view of `writer`'s arena.
 */
export function intervalLine(counts: IntervalCounts | PackedCounts, service: string, from: number, to: number, writer = new JsonLineWriter()): Buffer | undefined {
  if (counts instanceof PackedCounts) {
    const packed = counts.services.get(service);
    return packed && writePackedIntervalLine(writer, service, packed, from, to);
  }
  const operations = counts.get(service);
  return operations && writeIntervalLine(writer, service, operations, from, to);
}

function millionths(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
