import { type ClientHttp2Session, type ClientHttp2Stream, connect } from 'node:http2';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';

const root = protobuf.loadSync(join(__dirname, '..', '..', 'src', 'proto', 'jaeger', 'api_v2', 'sampling.proto'));
const Parameters = root.lookupType('jaeger.api_v2.SamplingStrategyParameters');
const Response = root.lookupType('jaeger.api_v2.SamplingStrategyResponse');

export interface RawGrpcAnswer {
  grpcStatus: number | undefined;
  strategy: Record<string, unknown> | undefined;
}

/**
 * One GetSamplingStrategy call framed by hand over HTTP/2, so a test can hold the request
 * half-sent (headers and part of the message on the wire) across an event such as a signal.
 * `@grpc/grpc-js` sends a unary request in one go and offers no such control.
 */
export class RawGrpcCall {
  private readonly session: ClientHttp2Session;
  private readonly stream: ClientHttp2Stream;
  private readonly message: Buffer;
  private readonly answer: Promise<RawGrpcAnswer>;

  constructor(address: string, serviceName: string) {
    const session = connect(`http://${address}`);
    this.session = session;
    session.on('error', () => undefined);
    this.stream = session.request({
      ':method': 'POST',
      ':path': '/jaeger.api_v2.SamplingManager/GetSamplingStrategy',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const body = Buffer.from(Parameters.encode(Parameters.fromObject({ serviceName })).finish());
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(body.length, 1);
    this.message = Buffer.concat([prefix, body]);

    const chunks: Buffer[] = [];
    let grpcStatus: number | undefined;
    const readStatus = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] !== undefined) grpcStatus = Number(headers['grpc-status']);
    };
    this.stream.on('response', readStatus);
    this.stream.on('trailers', readStatus);
    this.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    this.answer = new Promise((resolve) => {
      this.stream.on('error', () => undefined);
      this.stream.on('close', () => {
        session.close();
        const data = Buffer.concat(chunks);
        const strategy =
          data.length >= 5
            ? (Response.toObject(Response.decode(data.subarray(5, 5 + data.readUInt32BE(1))), { enums: String }) as Record<string, unknown>)
            : undefined;
        resolve({ grpcStatus, strategy });
      });
    });
  }

  /**
   * Sends the headers and all but the last byte of the message, and returns once the server has
   * read them: a write's callback says only that the bytes left this process, while a PING sent
   * after them is answered only once the server has read everything before it.
   */
  async sendAllButLastByte(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stream.write(this.message.subarray(0, this.message.length - 1), (error) => (error ? reject(error) : resolve())),
    );
    await new Promise<void>((resolve, reject) => {
      this.session.ping((error) => (error ? reject(error) : resolve()));
    });
  }

  /** Sends the rest and waits for the answer. */
  async finish(): Promise<RawGrpcAnswer> {
    this.stream.end(this.message.subarray(this.message.length - 1));
    return this.answer;
  }
}
