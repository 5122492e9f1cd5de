import { ERROR_BOOST_DEFAULTS } from '../sampling/samplane/samplane-options';
import type { IncidentSummary } from './error-summary';
import type { SimulatedAlgorithm } from './scenario';
import { ALGORITHMS, type Meter, type SimulationRun } from './simulation';
import type { ScenarioSummary } from './summary';

const WIDTH = 960;
const PANEL_HEIGHT = 250;
const HEADER = 74;
const MARGIN = { left: 72, right: 24, top: 34, bottom: 34 };
/** Seconds per plotted point: fine enough to show the poll roll-out, coarse enough to read. */
const RESOLUTION = 10;
/** Drawn counts are summed over at least this many seconds, so short intervals do not become a cloud. */
const DOT_SECONDS = 30;
/** At most this many decades on the log axis, so a rate of 0 does not squash the rest. */
const MAX_DECADES = 5;

const COLOURS: Record<SimulatedAlgorithm, string> = { jaeger: '#d9480f', samplane: '#1864ab' };

/**
 * One SVG per scenario: a panel per tracked series with the sampled traces per second each
 * algorithm yields (lines: expected rate, 10 s resolution; dots: traces actually sampled per
 * calculation interval), the target and its tolerance band, steps (dotted) and quiet periods
 * (grey). The y axis is logarithmic, so a 10× overshoot and a 10× undershoot look alike. A
 * series with error incidents gets a second panel: errored traces sampled per second against
 * the error boost's target, incidents shaded red, and each algorithm's boost and return.
 */
export function renderChart(run: SimulationRun, summary?: ScenarioSummary): string {
  const { scenario, settings } = run;
  const panels = scenario.tracked.length + scenario.tracked.filter((series) => series.incidents?.length).length;
  const height = HEADER + panels * PANEL_HEIGHT;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    text(MARGIN.left, 22, scenario.title, { size: 16, weight: 'bold' }),
    text(MARGIN.left, 40, scenario.description, { size: 12, colour: '#495057' }),
    legend(MARGIN.left, 62),
  ];
  let top = HEADER;
  scenario.tracked.forEach((series, i) => {
    const target =
      summary?.algorithms.samplane.series[i]?.target ??
      series.target ??
      (series.operation === undefined ? scenario.budgets?.[series.service] : settings.targetSamplesPerSecond);
    const settling = summary
      ? ALGORITHMS.map((a) => `${a} ${formatSettling(summary.algorithms[a].series[i]?.settling ?? [])}`).join(', ')
      : '';
    parts.push(
      panel(run, run.meters[i], {
        top,
        title: series.label + (settling && series.steps?.length ? `  (settling, intervals: ${settling})` : ''),
        target,
        steps: series.steps ?? [],
        idle: series.idle ?? [],
        incidents: series.incidents ?? [],
      }),
    );
    top += PANEL_HEIGHT;
    if (!series.incidents?.length) return;
    const boosts = summary
      ? ALGORITHMS.map((a) => `${a} ${(summary.algorithms[a].series[i]?.incidents ?? []).map(formatIncident).join('; ')}`).join(' · ')
      : '';
    const meter = run.meters[i];
    parts.push(
      panel(run, meter, {
        top,
        title: `errored traces sampled/s${boosts && `  (${boosts})`}`,
        target: ERROR_BOOST_DEFAULTS.targetErrorSamplesPerSecond,
        steps: [],
        idle: [],
        incidents: series.incidents,
        band: false,
        lines: meter.expectedErrors,
        dots: meter.sampledErrors,
        yLabel: 'errored sampled/s',
      }),
    );
    top += PANEL_HEIGHT;
  });
  parts.push('</svg>');
  return parts.join('\n');
}

interface PanelOptions {
  top: number;
  title: string;
  target: number | undefined;
  steps: readonly number[];
  idle: readonly (readonly [number, number])[];
  /** Periods of raised errors, shaded red. */
  incidents: readonly (readonly [number, number])[];
  /** Whether the target's tolerance band is drawn (default: yes). */
  band?: boolean;
  /** Per second, and per calculation interval; default: all sampled traces. */
  lines?: Record<SimulatedAlgorithm, Float64Array>;
  dots?: Record<SimulatedAlgorithm, number[]>;
  yLabel?: string;
}

function panel(run: SimulationRun, meter: Meter, options: PanelOptions): string {
  const { settings } = run;
  const duration = settings.durationSeconds;
  const interval = settings.calculationIntervalSeconds;
  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  const y0 = options.top + MARGIN.top;
  const y1 = options.top + PANEL_HEIGHT - MARGIN.bottom;

  const perSecond = options.lines ?? meter.expected;
  const perInterval = options.dots ?? meter.sampled;
  const lines = Object.fromEntries(ALGORITHMS.map((a) => [a, averages(perSecond[a], RESOLUTION)])) as Record<
    SimulatedAlgorithm,
    number[]
  >;
  const group = Math.max(1, Math.round(DOT_SECONDS / interval));
  const dots = Object.fromEntries(ALGORITHMS.map((a) => [a, means(perInterval[a], group).map((n) => n / interval)])) as Record<
    SimulatedAlgorithm,
    number[]
  >;
  const values = ALGORITHMS.flatMap((a) => [...lines[a], ...dots[a]]).filter((v) => v > 0);
  const band = options.band === false ? 0 : settings.deltaTolerance;
  const { low, high } = logRange(values, options.target, band);
  const x = (seconds: number) => x0 + ((x1 - x0) * seconds) / duration;
  const y = (value: number) => {
    const clamped = Math.min(high, Math.max(low, value));
    return y1 - ((y1 - y0) * Math.log10(clamped / low)) / Math.log10(high / low);
  };

  const parts: string[] = [text(x0, options.top + 20, options.title, { size: 13, weight: 'bold' })];
  parts.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="#fcfcfc" stroke="#adb5bd"/>`);
  for (const [from, until] of options.idle) {
    parts.push(rect(x(from), y0, x(until) - x(from), y1 - y0, '#e9ecef'));
  }
  for (const [from, until] of options.incidents) {
    parts.push(rect(x(from), y0, x(until) - x(from), y1 - y0, '#ffe3e3'));
  }
  if (options.target !== undefined) {
    const t = options.target;
    if (band > 0) parts.push(rect(x0, y(t * (1 + band)), x1 - x0, y(t * (1 - band)) - y(t * (1 + band)), '#d3f9d8'));
    parts.push(line(x0, y(t), x1, y(t), '#2b8a3e', 'stroke-dasharray="6 4"'));
  }
  for (let decade = Math.log10(low); decade <= Math.log10(high) + 1e-9; decade++) {
    const value = 10 ** decade;
    parts.push(line(x0, y(value), x1, y(value), '#dee2e6'));
    parts.push(text(x0 - 6, y(value) + 4, formatTick(value), { anchor: 'end' }));
  }
  for (let minute = 0; minute * 60 <= duration; minute += 10) {
    parts.push(line(x(minute * 60), y1, x(minute * 60), y1 + 4, '#495057'));
    parts.push(text(x(minute * 60), y1 + 16, `${minute}`, { anchor: 'middle' }));
  }
  parts.push(text((x0 + x1) / 2, y1 + 30, 'minutes', { anchor: 'middle', colour: '#495057' }));
  parts.push(
    text(16, (y0 + y1) / 2, options.yLabel ?? 'sampled traces/s', { anchor: 'middle', colour: '#495057', rotate: true }),
  );
  for (const s of options.steps) parts.push(line(x(s), y0, x(s), y1, '#868e96', 'stroke-dasharray="2 3"'));

  for (const algorithm of ALGORITHMS) {
    const points = lines[algorithm]
      .map((v, i) => `${round(x((i + 0.5) * RESOLUTION))},${round(y(v))}`)
      .join(' ');
    parts.push(
      `<polyline fill="none" stroke="${COLOURS[algorithm]}" stroke-width="1.8" stroke-linejoin="round" points="${points}"/>`,
    );
    dots[algorithm].forEach((v, k) => {
      parts.push(
        `<circle cx="${round(x((k + 0.5) * group * interval))}" cy="${round(y(v))}" r="2.6" fill="${COLOURS[algorithm]}" fill-opacity="0.45"/>`,
      );
    });
  }
  return parts.join('\n');
}

function legend(left: number, baseline: number): string {
  const parts: string[] = [];
  let at = left;
  for (const algorithm of ALGORITHMS) {
    parts.push(line(at, baseline - 4, at + 24, baseline - 4, COLOURS[algorithm], 'stroke-width="2"'));
    parts.push(text(at + 30, baseline, algorithm));
    at += 110;
  }
  parts.push(rect(at, baseline - 10, 24, 12, '#d3f9d8'));
  parts.push(line(at, baseline - 4, at + 24, baseline - 4, '#2b8a3e', 'stroke-dasharray="6 4"'));
  parts.push(text(at + 30, baseline, 'target ± tolerance'));
  at += 150;
  parts.push(`<circle cx="${at + 6}" cy="${baseline - 4}" r="2.6" fill="#495057" fill-opacity="0.6"/>`);
  parts.push(text(at + 16, baseline, 'sampled per interval (drawn); lines: expected rate'));
  return parts.join('\n');
}

/** Whole decades covering the target band and the data, at most MAX_DECADES of them. */
function logRange(values: number[], target: number | undefined, tolerance: number): { low: number; high: number } {
  const candidates = [...values];
  if (target !== undefined) candidates.push(target * (1 - tolerance), target * (1 + tolerance));
  const highest = candidates.length > 0 ? Math.max(...candidates) : 1;
  const lowest = candidates.length > 0 ? Math.min(...candidates) : 0.1;
  const high = 10 ** Math.ceil(Math.log10(highest) + 1e-9);
  const low = Math.max(10 ** Math.floor(Math.log10(lowest)), high / 10 ** MAX_DECADES);
  return { low, high: high > low ? high : low * 10 };
}

function means(values: readonly number[], every: number): number[] {
  const result: number[] = [];
  for (let from = 0; from < values.length; from += every) {
    const group = values.slice(from, from + every);
    result.push(group.reduce((a, b) => a + b, 0) / group.length);
  }
  return result;
}

function averages(values: Float64Array, every: number): number[] {
  const result: number[] = [];
  for (let from = 0; from < values.length; from += every) {
    const to = Math.min(values.length, from + every);
    let sum = 0;
    for (let t = from; t < to; t++) sum += values[t];
    result.push(sum / (to - from));
  }
  return result;
}

/** "boost 1 (3 s), errored 0.01/1.00/0.03 per s, back 317 s": before/during/after. */
function formatIncident(incident: IncidentSummary): string {
  const rate = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
  const { before, during, after } = incident.errored;
  return [
    incident.boostCalculations === null ? 'no boost' : `boost ${incident.boostCalculations} (${incident.boostSeconds} s)`,
    `errored ${rate(before)}/${rate(during)}/${rate(after)} per s`,
    incident.boostCalculations === null ? '' : incident.returnSeconds === null ? 'not back' : `back ${incident.returnSeconds} s`,
  ]
    .filter(Boolean)
    .join(', ');
}

function formatSettling(settling: readonly (number | null)[]): string {
  return settling.map((s) => (s === null ? '—' : String(s))).join('/');
}

function formatTick(value: number): string {
  if (value >= 1000 || value < 0.01) return value.toExponential(0).replace('e+', 'e');
  return String(Number(value.toPrecision(2)));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function line(xa: number, ya: number, xb: number, yb: number, colour: string, extra = ''): string {
  return `<line x1="${round(xa)}" y1="${round(ya)}" x2="${round(xb)}" y2="${round(yb)}" stroke="${colour}" ${extra}/>`;
}

function rect(xa: number, ya: number, width: number, height: number, fill: string): string {
  return `<rect x="${round(xa)}" y="${round(ya)}" width="${round(width)}" height="${round(height)}" fill="${fill}"/>`;
}

interface TextStyle {
  size?: number;
  weight?: string;
  anchor?: 'start' | 'middle' | 'end';
  colour?: string;
  rotate?: boolean;
}

function text(xa: number, ya: number, content: string, style: TextStyle = {}): string {
  const attributes = [
    `x="${round(xa)}"`,
    `y="${round(ya)}"`,
    style.size ? `font-size="${style.size}"` : '',
    style.weight ? `font-weight="${style.weight}"` : '',
    style.anchor ? `text-anchor="${style.anchor}"` : '',
    `fill="${style.colour ?? '#212529'}"`,
    style.rotate ? `transform="rotate(-90 ${round(xa)} ${round(ya)})"` : '',
  ].filter(Boolean);
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
