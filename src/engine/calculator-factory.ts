import type { AdaptiveOptions } from '../sampling/adaptive-options';
import type { AdaptiveCalculator } from '../sampling/calculator';
import { JaegerCalculator } from '../sampling/jaeger/jaeger-calculator';
import { SamplaneCalculator } from '../sampling/samplane/samplane-calculator';

/** The algorithm named by ADAPTIVE_ALGORITHM. */
export function createCalculator(options: AdaptiveOptions): AdaptiveCalculator {
  return options.algorithm === 'samplane' ? new SamplaneCalculator(options) : new JaegerCalculator(options);
}
