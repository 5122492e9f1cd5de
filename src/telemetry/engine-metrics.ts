import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Probabilities } from '../sampling/calculator';
import { type ServiceInputs, type ServiceQps, isBoosted, qpsOf } from '../sampling/input-columns';
import { type ServiceTraffic, errorRateOf } from '../store/traffic-columns';
import { MetricsService } from './metrics.service';
import { TextFamily } from './text-family';

export const STATE_SAVE_OUTCOMES = ['saved', 'superseded', 'fenced', 'failed'] as const;
export type StateSaveOutcome = (typeof STATE_SAVE_OUTCOMES)[number];

/** Cardinality cap for per-operation gauges: beyond it, only totals are exported. */
const MAX_GAUGE_SERIES = 1000;

/** Metrics of aggregation, leadership and calculation. */
@Injectable()
export class EngineMetrics {
  private readonly flushDuration: Histogram;
  private readonly flushFailures: Counter;
  private readonly droppedOperations: Counter;
  private readonly calculationDuration: Histogram;
  private readonly calculations: Counter<'outcome'>;
  private readonly unreadSeconds: Counter;
  private readonly stateSaveDuration: Histogram;
  private readonly stateSaves: Counter<'outcome'>;
  private readonly leader: Gauge;
  /** The per-service and per-operation families as of the latest calculation, encoded once for every scrape. */
  private familiesBytes: Buffer;
  private readonly seriesOmitted: Gauge;
  private readonly calculationDropped: Gauge;
  private readonly threadMemory: Gauge<'kind'>;
  /** Asks the calculation thread for its memory, answered in time for the next scrape. */
  private threadMemoryProbe: (() => void) | undefined;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.flushDuration = new Histogram({
      name: 'samplane_throughput_flush_duration_seconds',
      help: 'Time to flush this replica’s counters to the shared store.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.flushFailures = new Counter({
      name: 'samplane_throughput_flush_failures_total',
      help: 'Flushes the store did not take whole (unavailable); what it could not write waits for the next flush, within bounds, or is dropped.',
      registers,
    });
    this.droppedOperations = new Counter({
      name: 'samplane_throughput_dropped_operations_total',
      help: 'Operation counts dropped because a flush failed (not kept for the next one).',
      registers,
    });
    this.calculationDuration = new Histogram({
      name: 'samplane_calculation_duration_seconds',
      help: 'Time of one probability calculation (leader only).',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    });
    this.calculations = new Counter({
      name: 'samplane_calculations_total',
      help: 'Calculation ticks on this replica by outcome (computed, skipped, failed, fenced).',
      labelNames: ['outcome'],
      registers,
    });
    this.unreadSeconds = new Counter({
      name: 'samplane_calculation_unread_seconds_total',
      help: 'Seconds of reported counts that expired before a saved calculation read them (a leader behind by more than a catch-up, two intervals or at least a minute, or one starting after a long lapse): its rates came from the rest.',
      registers,
    });
    this.leader = new Gauge({
      name: 'samplane_leader',
      help: '1 while this replica holds the leader lease.',
      registers,
    });
    this.leader.set(0);
    this.familiesBytes = Buffer.from(operationFamiliesText({ operations: '', probability: '', qps: '', errorRate: '', boosted: '' }));
    metrics.addTextFamily(() => this.familiesBytes);
    this.seriesOmitted = new Gauge({
      name: 'samplane_metric_series_omitted',
      help: 'Per-operation series left out of the gauges above by the cardinality cap.',
      registers,
    });
    this.calculationDropped = new Gauge({
      name: 'samplane_calculation_operations_dropped',
      help: 'Operations the last calculation left out because their service exceeded ADAPTIVE_MAX_OPERATIONS.',
      registers,
    });
    for (const outcome of ['computed', 'skipped', 'failed', 'fenced']) this.calculations.labels(outcome).inc(0);
    this.stateSaveDuration = new Histogram({
      name: 'samplane_calculator_state_save_duration_seconds',
      help: 'Time to save the calculator’s state after a calculation’s snapshot is served (leader only, samplane algorithm).',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    });
    this.stateSaves = new Counter({
      name: 'samplane_calculator_state_saves_total',
      help: 'Saves of the calculator’s state by outcome (saved; superseded: a newer snapshot came first; fenced; failed). A new leader without one folds the kept history instead.',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of STATE_SAVE_OUTCOMES) this.stateSaves.labels(outcome).inc(0);
    this.threadMemory = new Gauge({
      name: 'samplane_calculation_thread_memory_bytes',
      help: 'Memory of this replica’s calculation thread (a follower’s waits, the leader’s calculates) as last reported, after each calculation and each scrape: heap_used and heap_total of its own heap, external for its typed arrays and buffers. The process’s RSS holds it beside the serving thread’s.',
      labelNames: ['kind'],
      registers,
      // Not awaited: a thread in a long step must not hold the scrape; the next one sees its answer.
      collect: () => this.threadMemoryProbe?.(),
    });
  }

  /** A flush written, which may have dropped counts earlier failed flushes kept too long. */
  flushed(seconds: number, dropped = 0): void {
    this.flushDuration.observe(seconds);
    if (dropped > 0) this.droppedOperations.inc(dropped);
  }

  flushFailed(operations: number): void {
    this.flushFailures.inc();
    this.droppedOperations.inc(operations);
  }

  calculation(outcome: 'computed' | 'skipped' | 'failed' | 'fenced', seconds?: number): void {
    this.calculations.labels(outcome).inc();
    if (seconds !== undefined) this.calculationDuration.observe(seconds);
  }

  /** A saved calculation whose read started `seconds` after where the last one ended: those counts had expired. */
  unread(seconds: number): void {
    this.unreadSeconds.inc(seconds);
  }

  stateSaved(outcome: StateSaveOutcome, seconds?: number): void {
    this.stateSaves.labels(outcome).inc();
    if (seconds !== undefined) this.stateSaveDuration.observe(seconds);
  }

  leadership(isLeader: boolean): void {
    this.leader.set(isLeader ? 1 : 0);
  }

  /** The calculation thread's memory, as it reported it (none: the thread is gone, its series too). */
  calculationThreadMemory(memory: ThreadMemory | undefined): void {
    if (!memory) {
      this.threadMemory.reset();
      return;
    }
    this.threadMemory.labels('heap_used').set(memory.heapUsed);
    this.threadMemory.labels('heap_total').set(memory.heapTotal);
    this.threadMemory.labels('external').set(memory.external);
  }

  /** How to ask the calculation thread for a fresh report, at each scrape. */
  onCalculationThreadScrape(probe: (() => void) | undefined): void {
    this.threadMemoryProbe = probe;
  }

  droppedByCalculation(count: number): void {
    this.calculationDropped.set(count);
  }

  /**
   * Replaces the per-operation gauges with the newest calculation: the first MAX_GAUGE_SERIES
   * operations, the rest only counted, so a large fleet costs a bounded number of series.
   */
  computed(probabilities: Probabilities, qps: Record<string, ServiceQps>, traffic: TrafficByOperation = {}, inputs: Record<string, ServiceInputs> = {}): void {
    this.showOperationFamilies(operationFamilies(probabilities, qps, traffic, inputs));
  }

  /** Families written elsewhere (by a calculation thread); every scrape sends this text until the next. */
  showOperationFamilies(families: OperationFamilies): void {
    this.familiesBytes = Buffer.from(families.text);
    this.seriesOmitted.set(families.omitted);
  }
}

/** A thread's own memory, from its `process.memoryUsage()` (bytes). */
export interface ThreadMemory {
  heapUsed: number;
  heapTotal: number;
  /** Outside its heap: typed arrays, buffers. */
  external: number;
}

/** The per-service and per-operation gauges of one calculation, as Prometheus text. */
export interface OperationFamilies {
  text: string;
  /** Series left out by the cardinality cap. */
  omitted: number;
}

const byOperation = ['service', 'operation'] as const;
const FAMILIES = {
  operations: new TextFamily('samplane_operations', 'Operations with a computed probability, per service (capped series).', ['service']),
  probability: new TextFamily('samplane_operation_probability', 'Computed sampling probability per operation (capped series).', byOperation),
  qps: new TextFamily('samplane_operation_qps', 'Estimated throughput the probability was computed from (capped series).', byOperation),
  errorRate: new TextFamily(
    'samplane_operation_error_rate',
    'Errors per request of each operation in the newest calculated bucket (capped series).',
    byOperation,
  ),
  boosted: new TextFamily('samplane_operation_error_boosted', '1 for each operation the error boost raises now (capped series).', byOperation),
};

/** The first MAX_GAUGE_SERIES operations of a calculation as gauges; the rest only counted. */
export function operationFamilies(
  probabilities: Probabilities,
  qps: Record<string, ServiceQps>,
  traffic: TrafficByOperation = {},
  inputs: Record<string, ServiceInputs> = {},
): OperationFamilies {
  const f = FAMILIES;
  const lines: Record<FamilyName, string> = { operations: '', probability: '', qps: '', errorRate: '', boosted: '' };
  let series = 0;
  let omitted = 0;
  let services = 0;
  for (const [service, operations] of Object.entries(probabilities)) {
    const names = Object.keys(operations);
    if (services++ < MAX_GAUGE_SERIES) lines.operations += f.operations.line([service], names.length);
    if (series >= MAX_GAUGE_SERIES) {
      omitted += names.length;
      continue;
    }
    for (const operation of names) {
      if (series >= MAX_GAUGE_SERIES) {
        omitted++;
        continue;
      }
      series++;
      const labels = [service, operation];
      lines.probability += f.probability.line(labels, operations[operation]);
      lines.qps += f.qps.line(labels, qpsOf(qps[service], operation) ?? 0);
      const errorRate = errorRateOf(traffic[service], operation);
      if (errorRate !== undefined) lines.errorRate += f.errorRate.line(labels, errorRate);
      if (isBoosted(inputs[service], operation)) lines.boosted += f.boosted.line(labels, 1);
    }
  }
  return { text: operationFamiliesText(lines), omitted };
}

function operationFamiliesText(lines: Record<FamilyName, string>): string {
  return (Object.keys(FAMILIES) as FamilyName[]).map((name) => FAMILIES[name].render(lines[name])).join('');
}

type FamilyName = keyof typeof FAMILIES;

type TrafficByOperation = Record<string, ServiceTraffic>;
