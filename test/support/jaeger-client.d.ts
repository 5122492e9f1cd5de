/**
 * The slice of `jaeger-client` 3.19 (plain JavaScript, no published types) that the
 * end-to-end tests drive, written from its `dist/src` sources.
 */
declare module 'jaeger-client' {
  export interface JaegerLogger {
    info(message: string): void;
    error(message: string): void;
  }

  export interface JaegerSpan {
    context(): { isSampled(): boolean };
    finish(): void;
    /** The span's tags in order; the sampler's `sampler.type` / `sampler.param` land here. */
    readonly _tags: Array<{ key: string; value: unknown }>;
  }

  export class InMemoryReporter {
    readonly spans: JaegerSpan[];
    clear(): void;
  }

  export class ProbabilisticSampler {
    constructor(samplingRate: number);
  }

  export interface RemoteSamplerOptions {
    sampler?: unknown;
    logger?: JaegerLogger;
    /** Milliseconds between polls; the first poll comes after a random part of one more. */
    refreshInterval?: number;
    hostPort?: string;
    host?: string;
    port?: number;
    samplingPath?: string;
    maxOperations?: number;
    /** Called after every poll whose answer was applied. */
    onSamplerUpdate?: (sampler: unknown) => void;
  }

  export class RemoteSampler {
    constructor(serviceName: string, options?: RemoteSamplerOptions);
    close(callback?: () => void): void;
  }

  /** What the client counts with (its `metrics/noop` factory is the model). */
  export interface JaegerMetricsFactory {
    createCounter(name: string, tags?: Record<string, string>): { increment(delta?: number): void };
    createTimer(name: string, tags?: Record<string, string>): { record(value: number): void };
    createGauge(name: string, tags?: Record<string, string>): { update(value: number): void };
  }

  export interface TracerOptions {
    logger?: JaegerLogger;
    reporter?: unknown;
    /** Counters such as `jaeger:sampler_queries{result=ok}`, one increment per answered poll. */
    metrics?: JaegerMetricsFactory;
  }

  export class Tracer {
    constructor(serviceName: string, reporter?: unknown, sampler?: unknown, options?: TracerOptions);
    startSpan(operationName: string): JaegerSpan;
    close(callback?: () => void): void;
  }

  export interface TracingConfig {
    serviceName: string;
    sampler?: {
      type: 'const' | 'probabilistic' | 'ratelimiting' | 'remote';
      param: number;
      hostPort?: string;
      host?: string;
      port?: number;
      samplingPath?: string;
      refreshIntervalMs?: number;
    };
  }

  export function initTracer(config: TracingConfig, options?: TracerOptions): Tracer;
}
