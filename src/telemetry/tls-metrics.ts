import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from './metrics.service';

/** Certificate rotation, as an operator alerts on it. */
@Injectable()
export class TlsMetrics {
  private readonly reloads: Counter<'outcome'>;
  private readonly expiry: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.reloads = new Counter({
      name: 'samplane_tls_reloads_total',
      help: 'Changed TLS files applied, or refused (the last good certificate stays), by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.expiry = new Gauge({
      name: 'samplane_tls_certificate_expiry_timestamp_seconds',
      help: 'notAfter of the certificate both listeners serve.',
      registers,
    });
    for (const outcome of ['applied', 'failed']) this.reloads.labels(outcome).inc(0);
  }

  reloaded(outcome: 'applied' | 'failed'): void {
    this.reloads.labels(outcome).inc();
  }

  serving(expiresAtMs: number): void {
    this.expiry.set(expiresAtMs / 1000);
  }
}
