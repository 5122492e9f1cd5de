import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { SamplaneSampler, type SamplaneSamplerOptions } from '../../../../src/client/samplane-sampler';
import { randomTraceId, seededRandom } from '../../../support/statistics';
import type { FakeSamplane } from './fake-samplane';
import type { ManualTime } from './manual-time';

/** A sampler on manual time that has made its first poll (due at once) and applied it. */
export async function polledSampler(
  fake: FakeSamplane,
  time: ManualTime,
  options: Partial<SamplaneSamplerOptions> = {},
): Promise<SamplaneSampler> {
  const sampler = new SamplaneSampler({
    endpoint: fake.url,
    serviceName: 'checkout',
    clock: time,
    scheduler: time,
    ...options,
  });
  time.advance(0);
  if (!(await sampler.poll())) throw new Error('the first poll applied nothing');
  return sampler;
}

export interface Tally {
  decisions: number;
  sampled: number;
  /** Sampled decisions by their `sampler.type` attribute (`none` when there is none). */
  byType: Record<string, number>;
}

/**
 * `n` root-span decisions for `spanName`, on seeded trace ids, optionally `everyMs` apart on
 * the manual clock.
 */
export function decide(
  sampler: SamplaneSampler,
  spanName: string,
  n: number,
  seed: number,
  move?: { time: ManualTime; everyMs: number },
): Tally {
  const random = seededRandom(seed);
  const tally: Tally = { decisions: n, sampled: 0, byType: {} };
  for (let i = 0; i < n; i++) {
    if (move) move.time.advance(move.everyMs);
    const result = sampler.shouldSample(ROOT_CONTEXT, randomTraceId(random), spanName, SpanKind.SERVER, {}, []);
    if (result.decision !== SamplingDecision.RECORD_AND_SAMPLED) continue;
    tally.sampled++;
    const type = String(result.attributes?.['sampler.type'] ?? 'none');
    tally.byType[type] = (tally.byType[type] ?? 0) + 1;
  }
  return tally;
}
