import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from './metrics.service';
import { ReadinessService } from './readiness.service';

/**
 * `samplane_database_up`: the policy database's health as a metric, checked when Prometheus
 * scrapes (one ping per scrape), so an alert can say the database is down, as
 * `samplane_store_up` says it of the store.
 */
@Injectable()
export class DependencyMetrics {
  constructor(metrics: MetricsService, readiness: ReadinessService) {
    const gauge: Gauge = new Gauge({
      name: 'samplane_database_up',
      help: '1 while the policy database (SQLite or PostgreSQL) answers, else 0; checked at each scrape.',
      registers: [metrics.registry],
      collect: async () => {
        const { checks } = await readiness.check(['database']);
        gauge.set(checks.database?.status === 'up' ? 1 : 0);
      },
    });
  }
}
