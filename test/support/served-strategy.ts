/** A strategy as SDKs read it from `GET /sampling`. */
export interface StrategyJson {
  strategyType: 'PROBABILISTIC' | 'RATE_LIMITING';
  probabilisticSampling?: { samplingRate: number };
  rateLimitingSampling?: { maxTracesPerSecond: number };
  operationSampling?: {
    defaultSamplingProbability: number;
    defaultLowerBoundTracesPerSecond: number;
    perOperationStrategies: Array<{ operation: string; probabilisticSampling: { samplingRate: number } }>;
    defaultUpperBoundTracesPerSecond: number;
  };
}

/**
 * One poll, as an SDK sends it: the name percent-encoded into the query (slashes, quotes and
 * all). Throws on anything but 200, since every service name must get a strategy.
 */
export async function pollStrategy(baseUrl: string, service: string): Promise<StrategyJson> {
  const response = await fetch(`${baseUrl}/sampling?service=${encodeURIComponent(service)}`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`poll for ${JSON.stringify(service)} answered ${response.status}: ${text}`);
  return JSON.parse(text) as StrategyJson;
}

/**
 * The probability an SDK applies to `operation` under `strategy`: its own entry, else the
 * per-operation default, else the service's rate; undefined when only a rate limit is served.
 */
export function servedRate(strategy: StrategyJson, operation: string): number | undefined {
  const own = strategy.operationSampling?.perOperationStrategies.find((op) => op.operation === operation);
  return (
    own?.probabilisticSampling.samplingRate ??
    strategy.operationSampling?.defaultSamplingProbability ??
    strategy.probabilisticSampling?.samplingRate
  );
}

export const probabilistic = (samplingRate: number): StrategyJson => ({
  strategyType: 'PROBABILISTIC',
  probabilisticSampling: { samplingRate },
});

export const rateLimiting = (maxTracesPerSecond: number): StrategyJson => ({
  strategyType: 'RATE_LIMITING',
  rateLimitingSampling: { maxTracesPerSecond },
});
