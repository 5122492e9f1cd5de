import type Redis from 'ioredis';

/** Commands slower than this are logged, so that the run can report those over 50 ms. */
const SLOWLOG_THRESHOLD_US = 10_000;
const SLOWLOG_LENGTH = 1024;
/** Keys whose sampled size is largest are measured again exactly. */
const EXACT_TOP = 10;

export interface SlowCommand {
  /** Microseconds, as Redis measures it (execution only, no network). */
  durationUs: number;
  /** The command and its first arguments, shortened. */
  command: string;
}

/** Empties every node's slow log and makes it record commands of 10 ms or more. */
export async function resetSlowlog(nodes: Redis[]): Promise<void> {
  for (const node of nodes) {
    await node.config('SET', 'slowlog-log-slower-than', String(SLOWLOG_THRESHOLD_US));
    await node.config('SET', 'slowlog-max-len', String(SLOWLOG_LENGTH));
    await node.slowlog('RESET');
  }
}

/** Every node's logged commands, slowest first. */
export async function slowCommands(nodes: Redis[]): Promise<SlowCommand[]> {
  const all: SlowCommand[] = [];
  for (const node of nodes) {
    const entries = (await node.slowlog('GET', SLOWLOG_LENGTH)) as Array<[number, number, number, string[]]>;
    for (const [, , durationUs, args] of entries) {
      all.push({ durationUs, command: args.slice(0, 3).map((a) => String(a).slice(0, 60)).join(' ') });
    }
  }
  return all.sort((a, b) => b.durationUs - a.durationUs);
}

/** CPU seconds (user + system) each node (by port) has used since it started. */
export async function redisCpuSeconds(nodes: Redis[]): Promise<Map<number, number>> {
  const used = new Map<number, number>();
  for (const node of nodes) {
    const info = await node.info('cpu');
    const seconds = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0);
    used.set(Number(node.options.port), seconds);
  }
  return used;
}

/** CPU the nodes still running used between two readings (a node killed between them is left out). */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [port, seconds] of after) total += seconds - (before.get(port) ?? 0);
  return total;
}

export interface KeySizes {
  keys: number;
  usedMemoryBytes: number;
  /** The largest values, largest first: key, type and `MEMORY USAGE` in bytes. */
  largest: Array<{ key: string; type: string; bytes: number }>;
  /** Bytes by kind of key (see `keyKind`), largest first. */
  byKind: Array<{ kind: string; bytes: number }>;
}

/**
 * A key's kind: its hash tag's family and the name after it, `{pd}:x` for explanations'
 * chunks, `{pd}:st` the saved state's, `{tp}:c` the throughput slots'; `{pd}:…` where a
 * generation follows the tag at once (the served probabilities).
 */
export function keyKind(key: string): string {
  const tagged = /\{([a-z]+)\d*\}:([^:]*)/.exec(key);
  if (!tagged) return 'untagged';
  return `{${tagged[1]}}:${/^[a-z]+$/.test(tagged[2]) ? tagged[2] : '…'}`;
}

/**
 * Every key of every master, sized with `MEMORY USAGE` (sampled, then exactly for the largest
 * few). Run after the slow log was read: on a large keyspace this scan is itself slow.
 */
export async function keySizes(masters: Redis[]): Promise<KeySizes> {
  let keys = 0;
  let usedMemoryBytes = 0;
  const kinds = new Map<string, number>();
  const sized: Array<{ node: Redis; key: string; bytes: number }> = [];
  for (const node of masters) {
    usedMemoryBytes += Number(/used_memory:(\d+)/.exec(await node.info('memory'))?.[1] ?? 0);
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'COUNT', 1000);
      cursor = next;
      if (batch.length === 0) continue;
      const pipeline = node.pipeline();
      for (const key of batch) pipeline.call('MEMORY', 'USAGE', key);
      const answers = (await pipeline.exec()) ?? [];
      batch.forEach((key, i) => {
        const bytes = Number(answers[i]?.[1] ?? 0);
        keys++;
        sized.push({ node, key, bytes });
        const kind = keyKind(key);
        kinds.set(kind, (kinds.get(kind) ?? 0) + bytes);
      });
      // Only the largest matter; keep the list short on millions of keys.
      if (sized.length > 10_000) sized.sort((a, b) => b.bytes - a.bytes).splice(EXACT_TOP * 10);
    } while (cursor !== '0');
  }
  sized.sort((a, b) => b.bytes - a.bytes).splice(EXACT_TOP * 10);
  const exact = await Promise.all(
    sized.slice(0, EXACT_TOP).map(async ({ node, key }) => ({
      key,
      type: await node.type(key),
      bytes: Number(await node.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')),
    })),
  );
  const byKind = [...kinds].map(([kind, bytes]) => ({ kind, bytes })).sort((a, b) => b.bytes - a.bytes);
  return { keys, usedMemoryBytes, largest: exact.sort((a, b) => b.bytes - a.bytes), byKind };
}
