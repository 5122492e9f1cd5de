import { type BeforeApplicationShutdown, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { GrpcServer } from './grpc-server';
import { protoPath } from './proto-path';

type ServingStatus = 'SERVING' | 'NOT_SERVING';
type Reply = { status: ServingStatus | 'SERVICE_UNKNOWN' };

/**
 * `grpc.health.v1.Health` as load balancers and Kubernetes probes expect it: the empty name is
 * the whole server; each registered service answers for itself; unknown names get NOT_FOUND
 * from Check and SERVICE_UNKNOWN from Watch. On shutdown every service turns NOT_SERVING and
 * Watch streams are ended, so watchers drain this replica and no open stream holds the gRPC
 * server's graceful shutdown until its force deadline.
 */
@Injectable()
export class GrpcHealthService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly statuses = new Map<string, ServingStatus>([['', 'SERVING']]);
  private readonly watchers = new Set<{ service: string; call: ServerWritableStream<unknown, unknown> }>();
  private shuttingDown = false;

  constructor(private readonly grpc: GrpcServer) {}

  setStatus(service: string, value: ServingStatus): void {
    this.statuses.set(service, value);
    for (const watcher of this.watchers) {
      if (watcher.service === service) watcher.call.write({ status: value });
    }
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
    for (const service of this.statuses.keys()) this.setStatus(service, 'NOT_SERVING');
    for (const watcher of this.watchers) watcher.call.end();
    this.watchers.clear();
  }

  onModuleInit(): void {
    const root = protobuf.loadSync(protoPath('grpc/health/v1/health.proto'));
    const request = root.lookupType('grpc.health.v1.HealthCheckRequest');
    const response = root.lookupType('grpc.health.v1.HealthCheckResponse');
    const codec = {
      requestSerialize: (value: object) => Buffer.from(request.encode(request.fromObject(value)).finish()),
      requestDeserialize: (bytes: Buffer) => request.toObject(request.decode(bytes), { defaults: true }),
      responseSerialize: (value: Reply) => Buffer.from(response.encode(response.fromObject(value)).finish()),
      responseDeserialize: (bytes: Buffer) => response.toObject(response.decode(bytes), { enums: String }),
    };
    const definition: ServiceDefinition = {
      Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, ...codec },
      Watch: { path: '/grpc.health.v1.Health/Watch', requestStream: false, responseStream: true, ...codec },
    };
    this.grpc.addService(definition, {
      Check: (call: ServerUnaryCall<{ service: string }, Reply>, callback: sendUnaryData<Reply>) => {
        const current = this.statuses.get(call.request.service);
        if (current === undefined) {
          callback({ code: status.NOT_FOUND, details: `unknown service "${call.request.service}"` });
          return;
        }
        callback(null, { status: current });
      },
      Watch: (call: ServerWritableStream<{ service: string }, Reply>) => {
        const service = call.request.service;
        const watcher = { service, call: call as ServerWritableStream<unknown, unknown> };
        call.write({ status: this.statuses.get(service) ?? 'SERVICE_UNKNOWN' });
        if (this.shuttingDown) {
          call.end();
          return;
        }
        this.watchers.add(watcher);
        call.on('cancelled', () => this.watchers.delete(watcher));
        call.on('close', () => this.watchers.delete(watcher));
      },
    });
  }
}
