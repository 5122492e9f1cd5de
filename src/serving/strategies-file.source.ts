import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { type StaticStrategies, parseStrategiesFile } from '../sampling/strategies-file';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { MetricsService } from '../telemetry/metrics.service';
import { StrategyProvider } from './strategy-provider';

/**
 * Feeds STRATEGIES_FILE to the provider: read once at start (a broken file stops start-up),
 * then re-read every STRATEGIES_RELOAD_INTERVAL and applied only when its bytes changed. A
 * broken file at reload keeps the last good strategies, logs why and counts a failure.
 */
@Injectable()
export class StrategiesFileSource implements OnModuleInit, OnModuleDestroy {
  private lastApplied: string | undefined;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly provider: StrategyProvider,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const path = this.config.strategiesFile;
    if (!path) return;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`STRATEGIES_FILE: cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
    let parsed: StaticStrategies;
    try {
      parsed = parseStrategiesFile(text);
    } catch (error) {
      throw new Error(`STRATEGIES_FILE: ${path} is not usable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.apply(text, parsed);
    this.metrics.strategiesFileRead('applied');
    if (this.config.strategiesReloadIntervalMs > 0) {
      this.timer = setInterval(() => void this.reload(), this.config.strategiesReloadIntervalMs);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One reload attempt; the interval calls it, and so can tests. */
  async reload(): Promise<'applied' | 'unchanged' | 'failed'> {
    const path = this.config.strategiesFile;
    if (!path) return 'unchanged';
    let text: string;
    let parsed: StaticStrategies;
    try {
      text = await readFile(path, 'utf8');
      if (text === this.lastApplied) {
        this.metrics.strategiesFileRead('unchanged');
        return 'unchanged';
      }
      parsed = parseStrategiesFile(text);
    } catch (error) {
      const reason = (error as Error).message;
      // Logged once per distinct reason: a file left broken must not flood the log every tick.
      if (reason !== this.lastError) {
        this.logger.error({ file: path, reason }, 'strategies file not reloaded; keeping the last good one');
        this.lastError = reason;
      }
      this.metrics.strategiesFileRead('failed');
      return 'failed';
    }
    this.apply(text, parsed);
    this.metrics.strategiesFileRead('applied');
    return 'applied';
  }

  private apply(text: string, parsed: StaticStrategies): void {
    for (const warning of parsed.warnings) this.logger.warn({ file: this.config.strategiesFile }, warning);
    // Swapped in at once for a small fleet, in slices for a large one.
    void this.provider.applyFile(parsed);
    this.lastApplied = text;
    this.lastError = undefined;
    this.logger.info(
      { file: this.config.strategiesFile, services: parsed.services.size, hasDefault: !!parsed.defaultStrategy },
      'strategies file applied',
    );
  }
}
