import type { OperationSettings, Probabilities } from '../sampling/calculator';

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

export const ENGINE_SETTINGS = Symbol('ENGINE_SETTINGS');
