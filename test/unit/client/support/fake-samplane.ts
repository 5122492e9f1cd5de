import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status: number;
  body: string;
  /** Milliseconds before answering, to play a hanging server. */
  delayMs?: number;
}

export interface ReportDocument {
  service: string;
  instance: string;
  windowSeconds: number;
  operations: Array<{ operation: string; count: number; sampled: number; sampledErrors: number; probability?: number }>;
}

/**
 * Samplane's two client-facing endpoints on a real loopback HTTP server: `GET /sampling`
 * answers whatever the test set, `POST /api/v1/throughput` records each document and answers
 * with the status the test set. It can be stopped and started again on the same port.
 */
export class FakeSamplane {
  strategy: Answer = { status: 200, body: probabilistic(0.5) };
  reportStatus = 202;
  /** Milliseconds before answering a report, to play a hanging server. */
  reportDelayMs = 0;
  readonly polls: string[] = [];
  readonly reports: ReportDocument[] = [];
  /** Every report attempt, accepted or not. */
  reportAttempts = 0;
  private server: Server | undefined;

  private constructor(private port: number) {}

  static async start(): Promise<FakeSamplane> {
    const fake = new FakeSamplane(0);
    await fake.listen();
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Closes the port and every connection: from now on, connections are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    await this.listen();
  }

  private async listen(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (request.method === 'GET' && request.url?.startsWith('/sampling?')) {
      this.polls.push(request.url);
      const answer = this.strategy;
      // Unref'd: a hanging answer must not keep the test process alive after the test.
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs).unref());
      if (response.destroyed) return;
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      return;
    }
    if (request.method === 'POST' && request.url === '/api/v1/throughput') {
      this.reportAttempts++;
      if (this.reportDelayMs) {
        await new Promise((resolve) => setTimeout(resolve, this.reportDelayMs).unref());
        if (response.destroyed) return;
      }
      if (this.reportStatus >= 200 && this.reportStatus < 300) this.reports.push(JSON.parse(body) as ReportDocument);
      response.writeHead(this.reportStatus, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    response.writeHead(404).end();
  }
}

export const probabilistic = (samplingRate: number): string =>
  JSON.stringify({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate } });

export const rateLimiting = (maxTracesPerSecond: number): string =>
  JSON.stringify({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond } });

/** The adaptive answer Samplane writes: per-operation rates, a default and a lower bound. */
export function perOperation(defaultProbability: number, lowerBound: number, rates: Record<string, number> = {}): string {
  return JSON.stringify({
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: defaultProbability },
    operationSampling: {
      defaultSamplingProbability: defaultProbability,
      defaultLowerBoundTracesPerSecond: lowerBound,
      perOperationStrategies: Object.entries(rates).map(([operation, samplingRate]) => ({
        operation,
        probabilisticSampling: { samplingRate },
      })),
      defaultUpperBoundTracesPerSecond: 0,
    },
  });
}
