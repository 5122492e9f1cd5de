import { SamplaneSampler, type SamplaneSamplerOptions } from './samplane-sampler';
import { SamplaneSpanProcessor, type SamplaneSpanProcessorOptions } from './samplane-span-processor';

/** Both parts' options; `clock` and `scheduler`, when given, serve both. */
export type SamplaneSamplingOptions = SamplaneSamplerOptions & SamplaneSpanProcessorOptions;

export interface SamplaneSampling {
  sampler: SamplaneSampler;
  spanProcessor: SamplaneSpanProcessor;
}

/**
 * The sampler and the span processor, wired to each other, for
 * `new NodeTracerProvider({ sampler, spanProcessors: [spanProcessor, ...] })`.
 */
export function createSamplaneSampling(options: SamplaneSamplingOptions): SamplaneSampling {
  const sampler = new SamplaneSampler(options);
  const spanProcessor = new SamplaneSpanProcessor(sampler, options);
  return { sampler, spanProcessor };
}
