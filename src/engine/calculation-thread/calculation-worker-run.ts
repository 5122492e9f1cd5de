import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { timeSlicer } from '../../common/time-slicer';
import type { Probabilities } from '../../sampling/calculator';
import { dictionary } from '../../sampling/dictionary';
import { operationSettingsOf } from '../../sampling/policy-settings';
import type { Policy } from '../../sampling/policy';
import type { Announcer } from '../../store/announcer';
import type { Fence } from '../../store/leader-lease';
import { type EngineStores, connectEngineStores } from '../../store/redis/redis-engine-stores';
import { operationFamilies } from '../../telemetry/engine-metrics';
import { createLogger } from '../../telemetry/logger';
import type { CalculationMetrics, FenceSource } from '../calculation-ports';
import { CalculationService } from '../calculation.service';
import { type Clock, systemClock } from '../clock';
import type { EngineSettings } from '../engine-settings';
import { HeapBound } from './heap-bound';
import { HistoryRecorder } from '../history-recorder';
import type { FromThread, ThreadData, ToThread } from './thread-messages';

/**
 * The calculation thread (started by calculation-worker.ts): the leader's calculation, with
 * stores of its own on the same Redis. What the serving thread must know goes back as messages.
 */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('the calculation worker runs only as a worker thread');
  const { config, replica } = workerData as ThreadData;
  const send = (message: FromThread) => port.postMessage(message);
  const logger = createLogger(config.logLevel).child({ thread: 'calculation' });
  // Listening before Redis answers, so that a stop during start-up is seen at once.
  const early: ToThread[] = [];
  let handle = (message: ToThread) => void early.push(message);
  port.on('message', (message: ToThread) => handle(message));
  const stores = await connectEngineStores(config, logger);
  if (early.some((message) => message.type === 'stop')) return stop(stores);

  let fence: Fence | undefined;
  const fenceListeners: Array<(fence: Fence | undefined) => void> = [];
  const fences: FenceSource = {
    currentFence: () => fence,
    onChange: (listener) => void fenceListeners.push(listener),
  };
  const setFence = (next: Fence | undefined) => {
    const changed = next?.token !== fence?.token;
    fence = next;
    if (changed) for (const listener of fenceListeners) listener(next);
  };

  let policies: ReadonlyMap<string, Policy> = new Map();
  let fileServices: ReadonlySet<string> = new Set();
  let servedRequests = 0;
  const servedReplies = new Map<number, (probabilities: Probabilities) => void>();
  const settings: EngineSettings = {
    operationSettings: (service, operation) => operationSettingsOf(policies, fileServices, service, operation),
    servedProbabilities: () =>
      new Promise((resolve) => {
        const id = ++servedRequests;
        servedReplies.set(id, resolve);
        send({ type: 'served?', id });
      }),
  };
  const metrics: CalculationMetrics = {
    calculation: (outcome, seconds) => send({ type: 'calculation', outcome, seconds }),
    droppedByCalculation: (count) => send({ type: 'dropped', count }),
    unread: (seconds) => send({ type: 'unread', seconds }),
    stateSaved: (outcome, seconds) => send({ type: 'stateSaved', outcome, seconds }),
    computed: (probabilities, qps, traffic, inputs) => send({ type: 'families', families: operationFamilies(probabilities, qps, traffic, inputs) }),
  };
  // Announced by the serving thread, whose announcer keeps a cluster's announcements in order.
  const announcer: Announcer = {
    publish: (topic, message) => Promise.resolve(send({ type: 'publish', topic, message })),
    subscribe: () => undefined,
    close: () => Promise.resolve(),
  };
  const heap = new HeapBound(garbageCollector(), () => getHeapStatistics().used_heap_size);
  const collect = () => heap.collect();
  // Nothing else runs on this thread: long slices only let its own Redis replies in.
  const clock: Clock = { ...systemClock, slicer: () => heap.slicer(timeSlicer(50)) };
  const calculation = new CalculationService(
    config,
    logger,
    clock,
    stores.throughput,
    stores.store,
    announcer,
    fences,
    metrics,
    settings,
    replica,
    new HistoryRecorder(config, stores.history, logger),
    { ended: collect },
  );

  handle = (message: ToThread) => {
    switch (message.type) {
      case 'stop':
        void stop(stores);
        return;
      case 'fence':
        setFence(message.fence);
        return;
      case 'served':
        servedReplies.get(message.id)?.(asDictionaries(message.probabilities));
        servedReplies.delete(message.id);
        return;
      case 'memory?':
        sendMemory(send);
        return;
      case 'tick':
        setFence(message.fence);
        if (message.settings) {
          policies = new Map(message.settings.policies);
          fileServices = new Set(message.settings.fileServices);
        }
        void calculation.tick().then((outcome) => {
          send({ type: 'ticked', id: message.id, outcome });
          sendMemory(send);
          // Not at once: every replica is loading the new snapshot in these seconds, and a full
          // collection's helper threads do not run at this thread's low priority.
          if (outcome === 'computed') setTimeout(collect, COLLECT_AFTER_TICK_MS).unref();
        });
        return;
    }
  };
  for (const message of early.splice(0)) handle(message);
}

/**
 * Ends the thread once its connections are closed. Ended from outside (Worker.terminate)
 * while one of its sockets was reading, the thread can abort the whole process.
 */
async function stop(stores: EngineStores): Promise<void> {
  await stores.close();
  process.exit(0);
}

/** This thread's own heap and what it holds outside it (its isolate's, not the process's). */
function sendMemory(send: (message: FromThread) => void): void {
  const { heapUsed, heapTotal, external } = process.memoryUsage();
  send({ type: 'memory', heapUsed, heapTotal, external });
}

/** How long after a computed tick its garbage is collected (see the tick handler). */
const COLLECT_AFTER_TICK_MS = 4_000;

/**
 * A message arrives with plain objects; the engine's maps have no prototype, so that an
 * operation named "constructor" or "__proto__" is data, never an inherited property.
 */
function asDictionaries(probabilities: Probabilities | undefined): Probabilities {
  const services = dictionary<Record<string, number>>();
  for (const [service, operations] of Object.entries(probabilities ?? {})) services[service] = Object.assign(dictionary<number>(), operations);
  return services;
}

/**
 * Full collections after a calculation and between its phases. Between calculations this
 * thread holds only the engine's state (about 120 MiB at 200,000 operations), but V8 sizes its
 * heap by what was live at its last full collection, mid-calculation: without these the heap,
 * and the process's RSS, stayed several times that size, mostly garbage. They cost this thread
 * (of low priority) a few hundred milliseconds per calculation.
 */
function garbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

void main().catch((error: unknown) => {
  // The serving thread sees the exit and starts a new thread at its next tick.
  process.stderr.write(`calculation thread failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
