import type { AppConfig } from '../../config/app-config';
import type { Probabilities } from '../../sampling/calculator';
import type { SettingsView } from '../../sampling/policy-settings';
import type { Fence } from '../../store/leader-lease';
import type { OperationFamilies, StateSaveOutcome, ThreadMemory } from '../../telemetry/engine-metrics';
import type { TickOutcome } from '../calculation-ports';

/** What the calculation thread starts from. */
export interface ThreadData {
  config: AppConfig;
  replica: string;
}

/** Serving thread → calculation thread. */
export type ToThread =
  /** Calculate once as the holder of `fence` (none: a follower, nothing to do). */
  | { type: 'tick'; id: number; fence: Fence | undefined; settings?: SettingsView }
  /** The lease moved: a term under another token is over. */
  | { type: 'fence'; fence: Fence | undefined }
  | { type: 'served'; id: number; probabilities: Probabilities }
  /** A scrape is under way: report the thread's memory. */
  | { type: 'memory?' }
  /** The replica is stopping: close the connections, then end. */
  | { type: 'stop' };

/** Calculation thread → serving thread. */
export type FromThread =
  | { type: 'ticked'; id: number; outcome: TickOutcome }
  | { type: 'publish'; topic: string; message: string }
  | { type: 'calculation'; outcome: 'computed' | 'skipped' | 'failed' | 'fenced'; seconds?: number }
  | { type: 'dropped'; count: number }
  | { type: 'unread'; seconds: number }
  | { type: 'stateSaved'; outcome: StateSaveOutcome; seconds?: number }
  | { type: 'families'; families: OperationFamilies }
  | ({ type: 'memory' } & ThreadMemory)
  /** A new leader with no stored snapshot continues from what this replica serves. */
  | { type: 'served?'; id: number };
