import { SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { RateLimiter } from './rate-limiter';
import { thresholdFor } from './trace-id-threshold';

/**
 * One operation's sampling rule and its counts for the current report window. Results are
 * built when the rule changes, never per decision: OTel treats them as immutable and copies
 * their attributes, so one frozen object serves every span.
 */
export class OperationState {
  /** Root spans decided in the window, sampled or not. */
  count = 0;
  /**
   * Kept by probability or by the service's rate limit. Traces kept only to meet the lower
   * bound are not counted, as Jaeger does not count them: the engine divides sampled traces by
   * the probability, and those were not sampled by it.
   */
  sampled = 0;
  /** Sampled root spans that ended with status ERROR. */
  errors = 0;

  /** The probability applied; undefined under a rate-limiting strategy. */
  probability: number | undefined = undefined;
  thresholdHigh = 0;
  thresholdLow = 0;
  lowerBound: RateLimiter | undefined = undefined;
  sampledResult: SamplingResult = NOT_SAMPLED;
  lowerBoundResult: SamplingResult = NOT_SAMPLED;

  constructor(
    readonly name: string,
    /** Named in the strategy: kept in the table while the strategy names it. */
    public listed: boolean,
  ) {}

  /** Rate `lowerBound` of 0 means no guarantee. */
  configure(probability: number, lowerBound: number, now: number): void {
    if (probability !== this.probability) {
      const threshold = thresholdFor(probability);
      this.thresholdHigh = threshold.high;
      this.thresholdLow = threshold.low;
      this.probability = probability;
      this.sampledResult = sampledWith('probabilistic', probability);
      // jaeger-client writes the probabilistic rate as the lower bound's param too.
      this.lowerBoundResult = sampledWith('lowerbound', probability);
    }
    if (lowerBound <= 0) this.lowerBound = undefined;
    else if (this.lowerBound) this.lowerBound.update(lowerBound);
    else this.lowerBound = new RateLimiter(lowerBound, now);
  }

  /** Under a rate-limiting strategy the service's limiter decides and nothing is per operation. */
  configureRateLimited(): void {
    this.probability = undefined;
    this.lowerBound = undefined;
  }
}

export const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

export function sampledWith(type: string, param: number): SamplingResult {
  return Object.freeze({
    decision: SamplingDecision.RECORD_AND_SAMPLED,
    attributes: Object.freeze({ 'sampler.type': type, 'sampler.param': param }),
  });
}
