import type { OperationSettings, Probabilities } from '../sampling/calculator';
import type { SettingsView } from '../sampling/policy-settings';

/**
 * What the engine reads from the serving side: the operator's settings for each operation, and
 * what this replica serves. The serving module provides it; the engine depends on nothing more.
 */
export interface EngineSettings {
  /** The adaptive policy's target and bounds for one operation; undefined keeps the defaults. */
  operationSettings(service: string, operation: string): OperationSettings | undefined;
  /**
   * The probabilities this replica serves (the last computed ones, else the adaptive ones it
   * built), service → operation → probability: where a new leader starts when the store lost
   * its data. A calculation thread asks the serving thread for them.
   */
  servedProbabilities(): Probabilities | Promise<Probabilities>;
}

/** The same settings as data, for a calculation on a thread of its own (the serving side's `ENGINE_SETTINGS`). */
export interface ShareableEngineSettings extends EngineSettings {
  /** Changes whenever the settings do: a thread's copy older than this is stale. */
  readonly settingsVersion: number;
  settingsView(): SettingsView;
}

export const ENGINE_SETTINGS = Symbol('ENGINE_SETTINGS');
