import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Line {
  label: string;
  values: (number | null)[];
  dash?: boolean;
}

const COLOURS = ['#2f6fdf', '#d9480f', '#2b8a3e', '#9c36b5', '#e67700', '#0b7285', '#c2255c', '#5c940d', '#495057', '#1864ab'];

/**
 * One time series chart (uPlot: small and fast enough to redraw every few seconds). Updated in
 * place when its data changes; rebuilt when its lines do. A caption and a text summary of the
 * newest values stand for it for screen readers.
 */
export function Chart(props: { title: string; times: number[]; lines: Line[]; log?: boolean; unit: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = `${props.log ? 'log' : 'lin'}|${props.lines.map((l) => l.label).join('\u0000')}`;
  const data = [props.times, ...props.lines.map((l) => l.values.map((v) => (props.log && v !== null && v <= 0 ? null : v)))] as uPlot.AlignedData;

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth || 640),
      height: 220,
      scales: { x: { time: true }, y: props.log ? { distr: 3 } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } }, { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' }, size: 60 }],
      series: [
        {},
        ...props.lines.map((line, i) => ({
          label: line.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          ...(line.dash && { dash: [6, 4] }),
          spanGaps: true,
        })),
      ],
    };
    plot.current = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(320, element.clientWidth), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the lines change; data updates go through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const latest = props.lines
    .map((l) => `${l.label}: ${l.values.length > 0 ? (l.values[l.values.length - 1] ?? 'none') : 'none'}`)
    .join('; ');
  const id = `chart-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <figure class="chart" role="group" aria-labelledby={id}>
      <figcaption id={id}>
        {props.title} <span class="unit">({props.unit})</span>
      </figcaption>
      <div ref={holder} class="chart-area" data-testid={id} data-points={props.times.length} />
      <p class="visually-hidden">Newest values — {latest}</p>
    </figure>
  );
}
