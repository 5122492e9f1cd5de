import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ANNOUNCER, type Announcer } from '../../store/announcer';
import { EngineMetrics } from '../../telemetry/engine-metrics';
import { APP_LOGGER, type AppLogger } from '../../telemetry/logger';
import type { Calculation, TickOutcome } from '../calculation-ports';
import { ENGINE_SETTINGS, type ShareableEngineSettings } from '../engine-settings';
import { LeaderElector } from '../leader-elector';
import { REPLICA_ID } from '../replica-identity';
import type { FromThread, ThreadData, ToThread } from './thread-messages';

const WORKER_SCRIPT = join(__dirname, 'calculation-worker.js');
/** How long a stopping replica waits for the thread to close its connections and end. */
export const THREAD_STOP_GRACE_MS = 4_000;

/**
 * Runs the leader's calculation on a thread of its own (see calculation-worker), so this
 * thread only answers polls, ingests and serves. Leadership stays here: each tick carries the
 * fence, and the thread's writes are fenced by Redis as they would be here. A thread that dies
 * fails the tick under way and is started again at the next one.
 */
@Injectable()
export class CalculationThread implements Calculation, OnApplicationBootstrap, OnModuleDestroy {
  /** Whether this replica calculates on the thread: on Redis, unless told otherwise, and built. */
  readonly enabled: boolean;
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, (outcome: TickOutcome) => void>();
  private running: Promise<TickOutcome> | undefined;
  private settingsSent = -1;
  private stopped = false;
  private bootstrapped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(REPLICA_ID) private readonly replica: string,
    @Inject(ANNOUNCER) private readonly announcer: Announcer,
    private readonly elector: LeaderElector,
    private readonly metrics: EngineMetrics,
    @Inject(ENGINE_SETTINGS) private readonly settings: ShareableEngineSettings,
  ) {
    // Run from TypeScript sources (tests of the modules) there is no script: calculate here.
    this.enabled = config.redis !== undefined && config.calculationThread === 'worker' && existsSync(WORKER_SCRIPT);
  }

  onApplicationBootstrap(): void {
    // Nest calls this once per provider that resolves to this instance (it is also CALCULATION):
    // a second thread would hold its own heap and Redis connections for nothing.
    if (!this.enabled || this.bootstrapped) return;
    this.bootstrapped = true;
    // Started now, so its connections are ready when this replica becomes leader.
    this.start();
    this.elector.onChange((fence) => this.post({ type: 'fence', fence }));
    this.metrics.onCalculationThreadScrape(() => this.post({ type: 'memory?' }));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    // Asked to end, the thread closes its Redis connections first: terminated while one of its
    // sockets is reading, a thread can abort the process. Terminated only if it does not end soon.
    const ended = new Promise<boolean>((resolve) => worker.once('exit', () => resolve(true)));
    worker.postMessage({ type: 'stop' } satisfies ToThread);
    const graceMs = Math.min(THREAD_STOP_GRACE_MS, this.config.shutdownTimeoutMs / 2);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
    if (!(await Promise.race([ended, timeout]))) {
      this.logger.warn({ graceMs }, 'calculation thread did not end when asked; terminating it');
      await worker.terminate();
    }
  }

  tick(): Promise<TickOutcome> {
    this.running ??= this.tickOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private tickOnce(): Promise<TickOutcome> {
    const fence = this.elector.currentFence();
    if (!fence || this.stopped) return Promise.resolve('follower');
    const worker = this.worker ?? this.start();
    const id = ++this.nextId;
    // Policies rarely change: they are copied to the thread only when they did.
    const settings = this.settings.settingsVersion !== this.settingsSent ? this.settings.settingsView() : undefined;
    this.settingsSent = this.settings.settingsVersion;
    return new Promise<TickOutcome>((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ type: 'tick', id, fence, settings } satisfies ToThread);
    });
  }

  private start(): Worker {
    const data: ThreadData = { config: this.config, replica: this.replica };
    const worker = new Worker(WORKER_SCRIPT, {
      workerData: data,
      // V8's default young generation (16 MiB semi-spaces), not the serving thread's larger one:
      // a calculation's transients outlive a scavenge either way, and memory is the cost.
      resourceLimits: { maxYoungGenerationSizeMb: 48 },
    });
    this.worker = worker;
    this.settingsSent = -1;
    worker.on('message', (message: FromThread) => this.receive(worker, message));
    worker.on('error', (error) => this.logger.error({ reason: error.message }, 'calculation thread failed'));
    worker.on('exit', (code) => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.metrics.calculationThreadMemory(undefined);
      }
      if (!this.stopped) this.logger.warn({ code }, 'calculation thread exited; a new one starts at the next calculation');
      // A tick the thread did not finish failed; the next one reads its interval again.
      for (const resolve of this.pending.values()) resolve('failed');
      if (this.pending.size > 0 && !this.stopped) this.metrics.calculation('failed');
      this.pending.clear();
    });
    return worker;
  }

  private post(message: ToThread): void {
    this.worker?.postMessage(message);
  }

  private receive(worker: Worker, message: FromThread): void {
    switch (message.type) {
      case 'ticked':
        this.pending.get(message.id)?.(message.outcome);
        this.pending.delete(message.id);
        return;
      case 'publish':
        void this.announcer.publish(message.topic, message.message).catch(() => undefined);
        return;
      case 'calculation':
        this.metrics.calculation(message.outcome, message.seconds);
        return;
      case 'dropped':
        this.metrics.droppedByCalculation(message.count);
        return;
      case 'stateSaved':
        this.metrics.stateSaved(message.outcome, message.seconds);
        return;
      case 'unread':
        this.metrics.unread(message.seconds);
        return;
      case 'families':
        this.metrics.showOperationFamilies(message.families);
        return;
      case 'memory':
        if (this.worker === worker) this.metrics.calculationThreadMemory(message);
        return;
      case 'served?':
        // Rare (the store lost its snapshot); copying a large fleet's rates costs this thread once.
        void Promise.resolve(this.settings.servedProbabilities()).then((probabilities) =>
          worker.postMessage({ type: 'served', id: message.id, probabilities } satisfies ToThread),
        );
        return;
      default:
        // A message type without a case of its own fails to compile here.
        return message satisfies never;
    }
  }
}
