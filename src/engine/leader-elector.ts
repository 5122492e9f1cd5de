import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { type Fence, LEADER_LEASE, type LeaderLease } from '../store/leader-lease';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { EngineMetrics } from '../telemetry/engine-metrics';
import { type Cancel, CLOCK, type Clock } from './clock';
import { REPLICA_ID } from './replica-identity';

/**
 * Holds or contends for the leader lease. Leader and followers alike try every third of the
 * lease: the leader renews long before expiry, and a follower takes over within one lease plus
 * a third of it after the leader disappears (a killed leader's lease simply expires).
 */
@Injectable()
export class LeaderElector implements OnModuleInit, BeforeApplicationShutdown {
  private fence: Fence | undefined;
  private leaseValidUntil = 0;
  private stopTimer: Cancel | undefined;
  private lastFailure: string | undefined;
  private readonly listeners: ((fence: Fence | undefined) => void)[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(LEADER_LEASE) private readonly lease: LeaderLease,
    @Inject(REPLICA_ID) private readonly replica: string,
    private readonly metrics: EngineMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    void this.contend();
    this.stopTimer = this.clock.setInterval(() => void this.contend(), Math.max(this.config.adaptive.leaderLeaseMs / 3, 50));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    if (!this.fence) return;
    this.setFence(undefined);
    // Releasing lets a follower take over at its next try instead of after the TTL.
    await this.lease.release(this.replica).catch(() => undefined);
  }

  /** The fence while this replica leads, checked against local lease expiry too. */
  currentFence(now = this.clock.now()): Fence | undefined {
    return this.fence && now < this.leaseValidUntil ? this.fence : undefined;
  }

  onChange(listener: (fence: Fence | undefined) => void): void {
    this.listeners.push(listener);
  }

  /** One acquire-or-renew attempt; the timer calls it, and so can tests. */
  async contend(): Promise<void> {
    const ttl = this.config.adaptive.leaderLeaseMs;
    const started = this.clock.now();
    try {
      const token = await this.lease.acquireOrRenew(this.replica, ttl);
      this.lastFailure = undefined;
      if (token === null) {
        this.setFence(undefined);
        return;
      }
      this.leaseValidUntil = started + ttl;
      if (this.fence?.token !== token) this.setFence({ holder: this.replica, token });
    } catch (error) {
      const reason = (error as Error).message;
      if (reason !== this.lastFailure) {
        this.logger.warn({ reason }, 'cannot reach the leader lease');
        this.lastFailure = reason;
      }
      // Without the store a leader cannot prove it still leads; it stops once its lease lapses.
      if (this.fence && this.clock.now() >= this.leaseValidUntil) this.setFence(undefined);
    }
  }

  private setFence(fence: Fence | undefined): void {
    const was = this.fence;
    this.fence = fence;
    if (was?.token === fence?.token) return;
    this.metrics.leadership(fence !== undefined);
    if (fence) this.logger.info({ token: fence.token }, 'became leader');
    else if (was) this.logger.info('no longer leader');
    for (const listener of this.listeners) listener(fence);
  }
}
