import { type Socket, createConnection } from 'node:net';

export interface RawResponse {
  /** 0 when the connection closed without a status line. */
  status: number;
  head: string;
  body: string;
}

/**
 * HTTP/1.1 over a bare socket, for requests `fetch` will not send (raw bytes in the request
 * line) or must not send all at once (a request still arriving when the server is signalled).
 * The server is expected to close the connection after answering (`Connection: close`).
 */
export class RawHttpConnection {
  private readonly socket: Socket;
  private readonly connected: Promise<void>;
  private readonly answered: Promise<RawResponse>;

  constructor(port: number) {
    this.socket = createConnection({ port, host: '127.0.0.1' });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    const chunks: Buffer[] = [];
    this.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    this.answered = new Promise((resolve) => {
      // A reset after a complete answer still counts as that answer.
      this.socket.on('error', () => undefined);
      this.socket.once('close', () => resolve(parse(Buffer.concat(chunks).toString('latin1'))));
    });
  }

  /** Resolves once the bytes are handed to the kernel, so they are on their way to the server. */
  async write(bytes: string | Buffer): Promise<void> {
    await this.connected;
    await new Promise<void>((resolve, reject) =>
      this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }

  response(): Promise<RawResponse> {
    return this.answered;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One whole request on its own connection. `target` is written as is, byte for byte (latin1). */
export async function rawGet(port: number, target: string): Promise<RawResponse> {
  const connection = new RawHttpConnection(port);
  await connection.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  return connection.response();
}

function parse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  return { status: status ? Number(status[1]) : 0, head, body: split < 0 ? '' : text.slice(split + 4) };
}

/** Whether something accepts TCP connections on the loopback port right now. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
