import type { SamplaneProcess } from './samplane-process';
import { type Served, served } from './replica-set';

/** What one process served at one moment, with the snapshot version it came from. */
export interface ServedSample {
  at: number;
  version: number;
  defaultProbability: number;
  operations: Record<string, number>;
}

/**
 * Polls what one Samplane serves a service, far more often than it calculates (every 100 ms
 * against calculations seconds apart), so that every snapshot version is seen with the
 * probabilities it carried, and settling can be counted in calculations rather than seconds.
 */
export class ServedWatch {
  readonly samples: ServedSample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly process: SamplaneProcess,
    private readonly service: string,
    private readonly everyMs = 100,
  ) {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** The newest sample, if any. */
  get latest(): ServedSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** The probability version `version` served `operation` (the last sample at or before it). */
  probabilityAt(operation: string, version: number): number | undefined {
    let found: number | undefined;
    for (const sample of this.samples) {
      if (sample.version > version) break;
      found = sample.operations[operation] ?? sample.defaultProbability;
    }
    return found;
  }

  /**
   * Versions seen from `fromVersion` on, each with the probability it served `operation`:
   * one entry per version, in order.
   */
  versionsSince(operation: string, fromVersion: number): Array<{ version: number; probability: number }> {
    const byVersion = new Map<number, number>();
    for (const sample of this.samples) {
      if (sample.version < fromVersion) continue;
      byVersion.set(sample.version, sample.operations[operation] ?? sample.defaultProbability);
    }
    return [...byVersion].map(([version, probability]) => ({ version, probability }));
  }

  /**
   * How many calculations after `fromVersion` the probability served `operation` entered
   * `accept` and stayed there for every later version seen; undefined if it never did.
   */
  settledAfter(operation: string, fromVersion: number, accept: (p: number) => boolean): number | undefined {
    const versions = this.versionsSince(operation, fromVersion);
    let settled: number | undefined;
    for (const { version, probability } of versions) {
      if (!accept(probability)) settled = undefined;
      else settled ??= version;
    }
    return settled === undefined ? undefined : settled - fromVersion;
  }

  /** The first version first seen at or after `at` (epoch ms), if one was. */
  firstVersionSeenAfter(at: number): number | undefined {
    let previous: number | undefined;
    for (const sample of this.samples) {
      if (sample.version !== previous && sample.at >= at) return sample.version;
      previous = sample.version;
    }
    return undefined;
  }

  /** One line per version for `operation`, for failure messages. */
  trace(operation: string, rate?: (at: number) => number): string {
    const lines: string[] = [];
    let last: number | undefined;
    for (const sample of this.samples) {
      if (sample.version === last) continue;
      last = sample.version;
      const p = sample.operations[operation] ?? sample.defaultProbability;
      const expected = rate ? ` expected sampled/s=${(p * rate(sample.at)).toFixed(2)}` : '';
      lines.push(`v${sample.version} at +${sample.at - this.samples[0].at} ms: p=${p}${expected}`);
    }
    return lines.join('\n');
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const answer: Served = await served(this.process, this.service);
        this.samples.push({ at: Date.now(), ...answer });
      } catch {
        // The process may be starting or stopping; the next poll tells.
      }
      await new Promise((resolve) => setTimeout(resolve, this.everyMs));
    }
  }
}
