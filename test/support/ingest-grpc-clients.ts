import {
  type ChannelCredentials,
  type Client,
  Metadata,
  type ServiceError,
  credentials,
  loadPackageDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';

const PROTO_ROOT = join(__dirname, '..', '..', 'src', 'proto');

type ClientConstructor = new (address: string, creds: ChannelCredentials, options?: object) => Client;

/** How a client reaches Samplane: TLS credentials (plaintext when absent) and an `authorization` value. */
export interface ConnectOptions {
  credentials?: ChannelCredentials;
  authorization?: string;
  /** Channel options, e.g. `grpc.ssl_target_name_override`. */
  channelOptions?: object;
}

/**
 * Reporters and trace pipelines over gRPC as a third party builds them: `@grpc/grpc-js` with
 * `@grpc/proto-loader` reading Samplane's `.proto` files. 64-bit integers may be given as
 * strings (values beyond 2^53 included) and are read back as strings.
 */
function loadClient(file: string, service: string, keepCase: boolean): ClientConstructor {
  const definition = loadSync(join(PROTO_ROOT, file), { keepCase, longs: String, defaults: false, oneofs: true });
  let node: unknown = loadPackageDefinition(definition);
  for (const part of service.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ClientConstructor;
}

type UnaryMethod<Res> = (
  request: object,
  metadata: Metadata,
  callback: (error: ServiceError | null, response: Res) => void,
) => void;

function unary<Res>(client: Client, method: string, request: object, authorization?: string): Promise<Res> {
  const fn = (client as unknown as Record<string, UnaryMethod<Res>>)[method];
  const metadata = new Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  return new Promise((resolve, reject) =>
    fn.call(client, request, metadata, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

function connect(Service: ClientConstructor, address: string, options: ConnectOptions): Client {
  return new Service(address, options.credentials ?? credentials.createInsecure(), options.channelOptions);
}

export interface GrpcOperation {
  operation?: string;
  count?: number | string;
  sampled?: number | string;
  errors?: number | string;
  probability?: number;
}

export interface GrpcReport {
  service?: string;
  instance?: string;
  window_seconds?: number;
  operations?: GrpcOperation[];
}

/** `samplane.v1.ThroughputService`, field names as written in the `.proto`. */
export class ThroughputReportClient {
  private readonly client: Client;

  constructor(
    address: string,
    private readonly options: ConnectOptions = {},
  ) {
    const Service = loadClient('samplane/v1/throughput.proto', 'samplane.v1.ThroughputService', true);
    this.client = connect(Service, address, options);
  }

  report(report: GrpcReport): Promise<{ accepted: number }> {
    return unary(this.client, 'Report', report, this.options.authorization);
  }

  close(): void {
    this.client.close();
  }
}

export interface ExportResponse {
  partialSuccess?: { rejectedSpans: string; errorMessage: string } | null;
}

/**
 * `opentelemetry.proto.collector.trace.v1.TraceService`, as an OpenTelemetry Collector calls
 * it; field names in lowerCamelCase, as protobufjs objects have them.
 */
export class TraceServiceClient {
  private readonly client: Client;

  constructor(
    address: string,
    private readonly options: ConnectOptions = {},
  ) {
    const Service = loadClient(
      'opentelemetry/trace_service.proto',
      'opentelemetry.proto.collector.trace.v1.TraceService',
      false,
    );
    this.client = connect(Service, address, options);
  }

  export(request: object): Promise<ExportResponse> {
    return unary(this.client, 'Export', request, this.options.authorization);
  }

  /** An export of the bytes given as they are, well formed or not; the answer's bytes back. */
  exportBytes(bytes: Buffer): Promise<Buffer> {
    const metadata = new Metadata();
    if (this.options.authorization !== undefined) metadata.set('authorization', this.options.authorization);
    const same = (b: Buffer) => b;
    return new Promise((resolve, reject) =>
      this.client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', same, same, bytes, metadata, (error, response) =>
        error || !response ? reject(error ?? new Error('no response')) : resolve(response),
      ),
    );
  }

  close(): void {
    this.client.close();
  }
}
