import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Metadata, ServerUnaryCall, ServiceDefinition, sendUnaryData } from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { GrpcServer } from '../grpc/grpc-server';
import { GrpcHealthService } from '../grpc/health.service';
import { protoPath } from '../grpc/proto-path';
import { IngestService } from './ingest.service';
import { grpcStatus } from '../errors/grpc-status';
import { ExportRequestType, ExportResponseType, decodeProtobufSpans } from './otlp/otlp-decode';

const REPORT_SERVICE = 'samplane.v1.ThroughputService';
const TRACE_SERVICE = 'opentelemetry.proto.collector.trace.v1.TraceService';

const reportRoot = protobuf.loadSync(protoPath('samplane/v1/throughput.proto'));
const ReportType = reportRoot.lookupType('samplane.v1.ThroughputReport');
const ReportResponseType = reportRoot.lookupType('samplane.v1.ReportResponse');

type Callback = sendUnaryData<object>;

/** The report API and the OTLP trace receiver over gRPC, validated like their HTTP twins. */
@Injectable()
export class IngestGrpcService implements OnModuleInit {
  constructor(
    private readonly grpc: GrpcServer,
    private readonly health: GrpcHealthService,
    private readonly ingest: IngestService,
  ) {}

  onModuleInit(): void {
    this.grpc.addService(unary(REPORT_SERVICE, 'Report', ReportType, ReportResponseType), {
      Report: (call: ServerUnaryCall<protobuf.Message, object>, callback: Callback) => {
        // Longs become numbers so validation sees a uint64 beyond 2^53 as out of range. proto3
        // leaves zeros and empty lists off the wire (most encoders do, protobufjs does not), so
        // an absent count, sampled or operations list is a zero, not a missing field; only the
        // `optional` probability keeps its presence.
        const document = ReportType.toObject(call.request, { longs: Number, defaults: true });
        if (document.windowSeconds === 0) delete document.windowSeconds;
        this.answer(callback, () => {
          const reporter = this.ingest.authenticate('report', authorization(call.metadata));
          return { accepted: this.ingest.acceptReport(document, 'grpc', reporter) };
        });
      },
    });
    this.grpc.addService(unary(TRACE_SERVICE, 'Export', ExportRequestType, ExportResponseType, { raw: true }), {
      Export: (call: ServerUnaryCall<Buffer, object>, callback: Callback) => {
        this.answer(callback, () => {
          const reporter = this.ingest.authenticate('otlp', authorization(call.metadata));
          // Read off the wire like an HTTP body; malformed bytes are INVALID_ARGUMENT.
          const outcome = this.ingest.acceptSpans(decodeProtobufSpans(call.request), 'grpc', reporter);
          return outcome.rejectedSpans > 0
            ? { partialSuccess: { rejectedSpans: outcome.rejectedSpans, errorMessage: outcome.errorMessage ?? '' } }
            : {};
        });
      },
    });
    this.health.setStatus(REPORT_SERVICE, 'SERVING');
    this.health.setStatus(TRACE_SERVICE, 'SERVING');
  }

  private answer(callback: Callback, work: () => object): void {
    try {
      callback(null, work());
    } catch (error) {
      callback(grpcStatus(error));
    }
  }
}

/** The `authorization` metadata a Collector's `headers` setting or a gRPC reporter sends. */
function authorization(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  return typeof value === 'string' ? value : undefined;
}

/** `raw`: the handler is given the request's bytes, to read them itself. */
function unary(service: string, method: string, request: protobuf.Type, response: protobuf.Type, { raw = false } = {}): ServiceDefinition {
  return {
    [method]: {
      path: `/${service}/${method}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: object) => Buffer.from(request.encode(request.fromObject(value)).finish()),
      requestDeserialize: raw ? (bytes: Buffer) => bytes : (bytes: Buffer) => request.decode(bytes),
      responseSerialize: (value: object) => Buffer.from(response.encode(response.fromObject(value)).finish()),
      responseDeserialize: (bytes: Buffer) => response.decode(bytes),
    },
  };
}

