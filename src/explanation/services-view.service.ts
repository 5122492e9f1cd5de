import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DEFAULT_POLICY_SERVICE } from '../sampling/policy';
import { StrategyProvider } from '../serving/strategy-provider';
import { MetricsService } from '../telemetry/metrics.service';
import { RecordedExplanations } from './recorded-explanations';
import { type ServiceExplanation, type ServiceSummary, explainService, summarize } from './service-views';

/** Per protocol (`http`, `grpc`, `xray`), when this replica last answered the service's poll. */
export type LastPolls = Partial<Record<'http' | 'grpc' | 'xray', string>>;

/** The admin views of what every service is served and why, from this replica's snapshot. */
@Injectable()
export class ServicesViewService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly provider: StrategyProvider,
    private readonly metrics: MetricsService,
    private readonly recorded: RecordedExplanations,
  ) {}

  /** Which protocols polled for the service and when, as this replica saw them (ISO times). */
  private lastPolls(service: string): LastPolls {
    const polls: LastPolls = {};
    for (const [protocol, at] of Object.entries(this.metrics.lastPollsOf(service))) {
      polls[protocol as keyof LastPolls] = new Date(at).toISOString();
    }
    return polls;
  }

  list(
    limit: number,
    offset: number,
    search?: string,
  ): { items: Array<ServiceSummary & { lastPolls: LastPolls }>; total: number; limit: number; offset: number } {
    const computed = this.provider.computed;
    const names = new Set<string>([...this.provider.snapshot.services()].map(([name]) => name));
    for (const name of Object.keys(computed?.summaries ?? {})) names.add(name);
    const needle = search?.toLowerCase();
    const sorted = [...names].filter((name) => !needle || name.toLowerCase().includes(needle)).sort();
    const items = sorted.slice(offset, offset + limit).map((service) => {
      const entry = this.provider.lookup(service);
      return { ...summarize(service, entry.source, entry.strategy, computed), lastPolls: this.lastPolls(service) };
    });
    return { items, total: sorted.length, limit, offset };
  }

  async explain(service: string): Promise<ServiceExplanation & { lastPolls: LastPolls }> {
    const entry = this.provider.lookup(service);
    const policies = this.provider.activePolicies;
    const own = policies.get(service);
    const star = policies.get(DEFAULT_POLICY_SERVICE);
    const policy =
      entry.source !== 'policy'
        ? undefined
        : own
          ? { service, policy: own }
          : star
            ? { service: DEFAULT_POLICY_SERVICE, policy: star }
            : undefined;
    const explanation = explainService({
      service,
      strategy: entry.strategy,
      source: entry.source,
      policy,
      computed: this.provider.computed,
      recorded: await this.recorded.of(service),
      deltaTolerance: this.config.adaptive.deltaTolerance,
    });
    return { ...explanation, lastPolls: this.lastPolls(service) };
  }
}
