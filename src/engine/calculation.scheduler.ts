import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CALCULATION, type Calculation } from './calculation-ports';
import { type Cancel, CLOCK, type Clock } from './clock';
import { LeaderElector } from './leader-elector';

/**
 * Only triggers: every ADAPTIVE_CALCULATION_INTERVAL (±5 % jitter, so replicas that restart
 * together do not hit Redis in step) it asks the calculation service for one tick, which does
 * nothing on a follower. Becoming leader also triggers a tick at once, so a failover does not
 * wait a whole interval.
 */
@Injectable()
export class CalculationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private stopped = false;
  private cancelTick: Cancel | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CALCULATION) private readonly calculation: Calculation,
    private readonly elector: LeaderElector,
  ) {}

  onApplicationBootstrap(): void {
    this.elector.onChange((fence) => {
      if (fence) void this.calculation.tick();
    });
    this.schedule();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const interval = this.config.adaptive.calculationIntervalMs;
    const delay = interval * (0.95 + Math.random() * 0.1);
    this.cancelTick = this.clock.setTimeout(() => {
      this.cancelTick = undefined;
      void this.calculation.tick().finally(() => this.schedule());
    }, delay);
  }
}
