/**
 * A Jaeger `strategies.json` naming one service with `operations` probabilistic operation
 * strategies, each with a distinct rate so the encoded answer is not unrealistically uniform.
 */
export function strategiesFile(service: string, operations: number): string {
  const operationStrategies = Array.from({ length: operations }, (_, index) => ({
    operation: `GET /api/v1/resource-${String(index).padStart(2, '0')}`,
    type: 'probabilistic',
    param: Number((0.001 + index / (operations * 2)).toFixed(4)),
  }));
  return JSON.stringify(
    {
      default_strategy: { type: 'probabilistic', param: 0.001 },
      service_strategies: [
        { service, type: 'probabilistic', param: 0.01, operation_strategies: operationStrategies },
      ],
    },
    null,
    2,
  );
}
