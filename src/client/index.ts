/**
 * `samplane/client`: Samplane's own OpenTelemetry sampler and span processor. Nothing here may
 * import the server: applications load this entry point without NestJS.
 */
export { createSamplaneSampling, type SamplaneSampling, type SamplaneSamplingOptions } from './install';
export { SAMPLER_DEFAULTS, SamplaneSampler, type SamplaneSamplerOptions } from './samplane-sampler';
export { PROCESSOR_DEFAULTS, SamplaneSpanProcessor, type SamplaneSpanProcessorOptions } from './samplane-span-processor';
export type { ReporterStats } from './throughput-reporter';
export type { ClientStrategy } from './strategy';
export type { DrainedWindow, OperationWindow } from './operation-table';
export type { Cancel, Clock, Scheduler } from './timing';
