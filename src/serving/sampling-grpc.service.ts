import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ServerUnaryCall, ServiceDefinition, sendUnaryData } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { GrpcServer } from '../grpc/grpc-server';
import { GrpcHealthService } from '../grpc/health.service';
import { MetricsService } from '../telemetry/metrics.service';
import { StrategyParametersType, StrategyResponseType } from './strategy-proto';
import { StrategyProvider } from './strategy-provider';

const SERVICE_NAME = 'jaeger.api_v2.SamplingManager';

/**
 * `jaeger.api_v2.SamplingManager/GetSamplingStrategy`. The response serializer is the
 * identity: replies are protobuf bytes encoded when the snapshot was built. An empty or
 * unknown service name gets the default strategy, as over HTTP.
 */
@Injectable()
export class SamplingGrpcService implements OnModuleInit {
  constructor(
    private readonly grpc: GrpcServer,
    private readonly health: GrpcHealthService,
    private readonly provider: StrategyProvider,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const definition: ServiceDefinition = {
      GetSamplingStrategy: {
        path: `/${SERVICE_NAME}/GetSamplingStrategy`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: { serviceName: string }) =>
          Buffer.from(StrategyParametersType.encode(StrategyParametersType.fromObject(value)).finish()),
        requestDeserialize: (bytes: Buffer) => StrategyParametersType.decode(bytes),
        responseSerialize: (bytes: Buffer) => bytes,
        responseDeserialize: (bytes: Buffer) => StrategyResponseType.decode(bytes),
      },
    };
    this.grpc.addService(definition, {
      GetSamplingStrategy: (call: ServerUnaryCall<{ serviceName?: string }, Buffer>, callback: sendUnaryData<Buffer>) => {
        const started = performance.now();
        const service = call.request.serviceName ?? '';
        const entry = this.provider.lookup(service);
        callback(null, entry.proto);
        this.metrics.servicePolled(service, 'grpc', entry !== this.provider.snapshot.fallback);
        this.metrics.recordPoll('grpc', 'ok', (performance.now() - started) / 1000);
      },
    });
    this.health.setStatus(SERVICE_NAME, 'SERVING');
  }
}
