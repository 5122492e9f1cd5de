/**
 * Reads one sample from Prometheus text exposition: the metric `name` whose labels include
 * every pair in `labels`. Returns undefined when no such series is exported.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = parseLabels(match[3] ?? '');
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[4]);
  }
  return undefined;
}

function parseLabels(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const match of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labels.set(match[1], match[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
  }
  return labels;
}
