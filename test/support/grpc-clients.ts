import {
  type ChannelCredentials,
  type Client,
  type ServiceError,
  credentials,
  loadPackageDefinition,
  type Metadata,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';

const PROTO_ROOT = join(__dirname, '..', '..', 'src', 'proto');

/**
 * Plain `@grpc/grpc-js` clients built from Samplane's own `.proto` files with
 * `@grpc/proto-loader`, the way a third-party gRPC client would. Decoding keeps proto field
 * names, writes enums as strings and fills defaults, so an unset sub-message reads as null.
 */
function loadService(file: string, path: string[]): new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client {
  const definition = loadSync(join(PROTO_ROOT, file), { keepCase: true, enums: String, defaults: true, longs: Number });
  let node: unknown = loadPackageDefinition(definition);
  for (const part of path) node = (node as Record<string, unknown>)[part];
  return node as new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client;
}

type WatchStream = NodeJS.EventEmitter & { cancel(): void };

type Unary<Req, Res> = (request: Req, metadata: Metadata | Record<string, never>, callback: (error: ServiceError | null, response: Res) => void) => void;

function call<Req, Res>(client: Client, method: string, request: Req): Promise<Res> {
  const fn = (client as unknown as Record<string, Unary<Req, Res>>)[method].bind(client);
  return new Promise((resolve, reject) => fn(request, {}, (error, response) => (error ? reject(error) : resolve(response))));
}

export interface DecodedStrategy {
  strategyType: 'PROBABILISTIC' | 'RATE_LIMITING';
  probabilisticSampling: { samplingRate: number } | null;
  rateLimitingSampling: { maxTracesPerSecond: number } | null;
  operationSampling: {
    defaultSamplingProbability: number;
    defaultLowerBoundTracesPerSecond: number;
    perOperationStrategies: Array<{ operation: string; probabilisticSampling: { samplingRate: number } | null }>;
    defaultUpperBoundTracesPerSecond: number;
  } | null;
}

export class SamplingManagerClient {
  private readonly client: Client;

  /** Plaintext unless `channel` credentials (e.g. `credentials.createSsl(ca)`) are given. */
  constructor(address: string, channel: ChannelCredentials = credentials.createInsecure()) {
    const Service = loadService('jaeger/api_v2/sampling.proto', ['jaeger', 'api_v2', 'SamplingManager']);
    this.client = new Service(address, channel);
  }

  getSamplingStrategy(serviceName: string): Promise<DecodedStrategy> {
    return call(this.client, 'GetSamplingStrategy', { serviceName });
  }

  close(): void {
    this.client.close();
  }
}

export class HealthClient {
  private readonly client: Client;

  constructor(address: string) {
    const Service = loadService('grpc/health/v1/health.proto', ['grpc', 'health', 'v1', 'Health']);
    this.client = new Service(address, credentials.createInsecure());
  }

  check(service: string): Promise<{ status: string }> {
    return call(this.client, 'Check', { service });
  }

  /**
   * An open Watch stream: `statuses` fills as the server reports, `first` resolves with the
   * first one, and `ended` with the stream's final gRPC status code (0 when the server ended
   * it cleanly, 1 when it was cancelled).
   */
  watch(service: string): {
    statuses: string[];
    first: Promise<string>;
    ended: Promise<{ code: number; statuses: string[] }>;
    cancel(): void;
  } {
    const open = (this.client as unknown as Record<string, (request: object) => WatchStream>).Watch.bind(this.client);
    const stream = open({ service });
    const statuses: string[] = [];
    const ended = new Promise<{ code: number; statuses: string[] }>((resolve) => {
      stream.on('status', (status: { code: number }) => resolve({ code: status.code, statuses }));
      // Errors also arrive as a status; this only keeps them from being thrown.
      stream.on('error', () => undefined);
    });
    const first = new Promise<string>((resolve, reject) => {
      stream.on('data', (message: { status: string }) => {
        statuses.push(message.status);
        resolve(message.status);
      });
      void ended.then(({ code }) => reject(new Error(`Watch(${service}) ended with code ${code} before any status`)));
    });
    return { statuses, first, ended, cancel: () => stream.cancel() };
  }

  /** The first status a Watch stream reports; the stream is then cancelled. */
  async firstWatched(service: string): Promise<{ status: string }> {
    const watch = this.watch(service);
    try {
      return { status: await watch.first };
    } finally {
      watch.cancel();
    }
  }

  close(): void {
    this.client.close();
  }
}
