import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { XRayPopulation } from '../sampling/xray/xray-population';
import { type XRayRules, buildXRayRules } from '../sampling/xray/xray-rules';
import { StrategyProvider } from '../serving/strategy-provider';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { xrayInputs } from './xray-inputs';

/** The X-Ray rules of one serving snapshot, encoded once. */
export interface XRayServing {
  rulesJson: Buffer;
  populations: ReadonlyMap<string, XRayPopulation>;
  /** Epoch seconds when what clients match on last changed. */
  lastRuleModification: number;
}

/**
 * Rebuilds the X-Ray rules once per serving snapshot, when first asked, so a rules request is one write of
 * bytes and a targets request one map lookup per document. `LastRuleModification` moves only
 * when the rules' definition changes (a policy, a new service), not with every computed rate:
 * computed rates reach clients through their targets.
 */
@Injectable()
export class XRayRulesSource implements OnModuleInit {
  private definition = '';
  private stale = false;
  private current: XRayServing = {
    rulesJson: Buffer.from('{"SamplingRuleRecords":[]}'),
    populations: new Map(),
    lastRuleModification: 0,
  };

  constructor(
    private readonly provider: StrategyProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onModuleInit(): void {
    // Built when an X-Ray client next asks, not at every snapshot: a large fleet without X-Ray
    // clients never pays for rules nobody reads.
    this.provider.onRebuild(() => (this.stale = true));
  }

  get serving(): XRayServing {
    if (this.stale) {
      this.stale = false;
      this.rebuild();
    }
    return this.current;
  }

  /** Public for tests that build without Nest's lifecycle. */
  rebuild(nowMs = Date.now()): void {
    try {
      const { services, fallback } = xrayInputs(
        this.provider.snapshot,
        this.provider.activePolicies,
        this.provider.computed,
        this.config.adaptive.targetSamplesPerSecond,
      );
      const rules: XRayRules = buildXRayRules(services, fallback);
      // Rounded up: a client compares it with when it fetched the rules, to the millisecond, and
      // must see a change made later in the same second as newer.
      const now = Math.ceil(nowMs / 1000);
      const modified = rules.definition === this.definition ? this.current.lastRuleModification : now;
      this.definition = rules.definition;
      const records = rules.rules.map((rule) => ({ SamplingRule: rule, CreatedAt: modified, ModifiedAt: modified }));
      this.current = {
        rulesJson: Buffer.from(JSON.stringify({ SamplingRuleRecords: records })),
        populations: rules.populations,
        lastRuleModification: modified,
      };
    } catch (error) {
      // The previous rules keep being served; a bug here must not stop Jaeger serving.
      this.logger.error({ err: error }, 'could not build the X-Ray rules');
    }
  }
}
