import { type Socket, createConnection, createServer } from 'node:net';

/**
 * A TCP relay on loopback that holds every chunk a client sends for `delayMs` before passing it
 * on. A call then takes at least `delayMs` per round trip it makes, whatever the TCP
 * segmentation or the client's batching: counting round trips becomes timing a call, with a
 * margin as wide as the delay.
 */
export class LatencyProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((client) => this.relay(client));
  private listeningPort = 0;

  private constructor(
    private readonly upstreamPort: number,
    private readonly delayMs: number,
  ) {}

  static async start(upstreamPort: number, delayMs: number): Promise<LatencyProxy> {
    const proxy = new LatencyProxy(upstreamPort, delayMs);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    proxy.listeningPort = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.listeningPort}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket): void {
    const upstream = createConnection({ port: this.upstreamPort, host: '127.0.0.1' });
    this.sockets.add(client).add(upstream);
    // Timers of equal delay fire in the order they were set, so chunks keep their order.
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), this.delayMs));
    upstream.on('data', (chunk) => client.write(chunk));
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }
}
