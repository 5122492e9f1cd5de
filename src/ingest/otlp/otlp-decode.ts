import * as protobuf from 'protobufjs';
import { protoPath } from '../../grpc/proto-path';
import { FieldError } from '../../errors/domain-error';
import type { RootSpan } from './root-span';
import { MalformedProtobuf, WireReader } from './protobuf-wire';
import { scanRequest } from './otlp-scan';

const root = protobuf.loadSync(protoPath('opentelemetry/trace_service.proto'));
export const ExportRequestType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportResponseType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');

export interface DecodedSpans {
  roots: RootSpan[];
  /** Spans that could not be counted (no service name), for the partial-success answer. */
  rejected: number;
  rejectedReason: string | undefined;
}

/**
 * OTLP/protobuf bytes (HTTP body or gRPC message) → root spans, read off the wire: only the
 * fields a root span's count needs are decoded (service, name, parent, sampling attributes,
 * tracestate, status, times); every other field, attribute and child span is skipped by its
 * length. Decoded into objects first, each attribute key and value was a string made and
 * dropped: two thirds of an export's cost.
 */
export function decodeProtobufSpans(bytes: Uint8Array): DecodedSpans {
  try {
    return scanRequest(WireReader.of(bytes));
  } catch (error) {
    if (!(error instanceof MalformedProtobuf)) throw error;
    throw new FieldError('(body)', `not an OTLP ExportTraceServiceRequest: ${error.message}`);
  }
}
