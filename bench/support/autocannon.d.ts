// autocannon ships no types; this declares only the part of its API the benchmarks use.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Requests to send in all; replaces `duration`. */
    amount?: number;
    headers?: Record<string, string>;
    /** Sent in turn on every connection; `path` replaces the path of `url`. */
    requests?: Request[];
  }

  interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }

  interface Histogram {
    average: number;
    p99: number;
  }

  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    requests: Histogram & { total: number };
    latency: Histogram;
  }

  /**
   * Emits `response` (client, statusCode, bytes, responseTimeMs) for every response and
   * `reqError` (error) for every failed request.
   */
  type Instance = EventEmitter & PromiseLike<Result>;

  function autocannon(options: Options): Instance;
  export = autocannon;
}
