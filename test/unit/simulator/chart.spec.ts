import { escapeXml, renderChart } from '../../../src/simulator/chart';
import { simulate } from '../../../src/simulator/simulation';
import { summarize } from '../../../src/simulator/summary';
import { lagScenario } from './lag-scenario';

describe('renderChart', () => {
  const run = simulate(lagScenario);
  const svg = renderChart(run, summarize(run));

  it('is one SVG document with a line per algorithm for each tracked series', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('stroke="#d9480f"');
    expect(svg).toContain('stroke="#1864ab"');
  });

  it('draws a dot per calculation interval and algorithm', () => {
    expect(svg.match(/<circle [^>]*fill="#(d9480f|1864ab)"/g)).toHaveLength(2 * 10);
  });

  it('escapes text', () => {
    expect(svg).toContain('Serving lag &amp; &lt;escaping&gt;');
    expect(svg.match(/<text /g)?.length).toBe(svg.match(/<\/text>/g)?.length);
    expect(escapeXml('"a" < b & c > d')).toBe('&quot;a&quot; &lt; b &amp; c &gt; d');
  });

  it('has no NaN or infinite coordinates', () => {
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
