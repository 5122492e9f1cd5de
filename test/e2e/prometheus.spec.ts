import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PrometheusServer } from '../support/prometheus-server';
import { SamplaneProcess } from '../support/samplane-process';
import { SteadyReporter } from '../support/steady-reporter';
import { waitFor } from '../support/wait';

const run = promisify(execFile);
const DEPLOY = join(__dirname, '..', '..', 'deploy');
const DASHBOARD = join(DEPLOY, 'grafana', 'samplane-dashboard.json');
const ALERTS = join(DEPLOY, 'prometheus', 'alerts.yml');

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

function dashboardQueries(): { title: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  const walk = (panels: Panel[]): { title: string; expr: string }[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? []).filter((t) => t.expr).map((t) => ({ title: panel.title ?? '', expr: t.expr as string })),
      ...walk(panel.panels ?? []),
    ]);
  return walk(dashboard.panels);
}

describe('alert rules (promtool)', () => {
  it('are valid rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', ALERTS]);
    expect(stdout).toMatch(/SUCCESS: 9 rules found/);
  });

  it('fire on the series they are for, after their `for`', async () => {
    const { stdout } = await run('promtool', ['test', 'rules', join(DEPLOY, 'prometheus', 'alerts.test.yml')]);
    expect(stdout).toMatch(/SUCCESS/);
  });
});

/**
 * The shipped Grafana dashboard against a real Prometheus scraping a real Samplane that takes
 * reports, polls and a few bad documents: every panel's query returns series.
 */
describe('Grafana dashboard and alerts on a real Prometheus', () => {
  let samplane: SamplaneProcess;
  let reporter: SteadyReporter;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({ ADAPTIVE_CALCULATION_INTERVAL: '1s', ADAPTIVE_DELAY: '1s' });
    reporter = new SteadyReporter(samplane.url, [
      { service: 'checkout', operation: 'GET /cart', requestsPerSecond: 500, errorRatio: 0.02 },
      { service: 'search', operation: 'GET /q', requestsPerSecond: 200 },
    ]);
    reporter.start();
    // A refused report, as a misconfigured reporter would send: the rejection panel shows it.
    const bad = await fetch(`${samplane.url}/api/v1/throughput`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'checkout', windowSeconds: 10, operations: [{ operation: 'x', count: -1 }] }),
    });
    expect(bad.status).toBe(400);
    prometheus = await PrometheusServer.start([`127.0.0.1:${samplane.httpPort}`], [ALERTS]);
  });

  afterAll(async () => {
    await reporter?.stop();
    await prometheus?.stop();
    await samplane?.stop('SIGKILL');
  });

  it("answers a scrape in Prometheus's text format, labelled as such", async () => {
    const response = await fetch(`${samplane.url}/metrics`);
    const body = Buffer.from(await response.arrayBuffer());
    // Without it, a Prometheus that checks the type (3.x) refuses the scrape.
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(Number(response.headers.get('content-length'))).toBe(body.length);
    expect(body.toString('utf8')).toMatch(/^# HELP /);
    expect(body.toString('utf8')).toContain('\nsamplane_snapshot_version ');
  });

  it('returns series for every panel query', async () => {
    // The dashboard's $service variable: label_values(samplane_operations, service).
    const services = await waitFor(
      async () => {
        const found = await prometheus.api<Record<string, string>[]>(`series?match[]=samplane_operations`);
        const names = [...new Set(found.map((s) => s.service))].sort();
        return names.length === 2 ? names : undefined;
      },
      'the service variable to list both services',
      60_000,
      500,
    );
    expect(services).toEqual(['checkout', 'search']);
    // Grafana writes a multi-value variable in a regex as an alternation.
    const selected = `(${services.join('|')})`;
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(14);
    const empty = await waitFor(
      async () => {
        const missing: string[] = [];
        for (const { title, expr } of queries) {
          const series = await prometheus.query(expr.replaceAll('$service', selected));
          if (series.length === 0) missing.push(`${title}: ${expr}`);
        }
        return missing.length === 0 ? missing : undefined;
      },
      'every dashboard query to return series',
      60_000,
      1000,
    ).catch((error: Error) => [error.message]);
    expect(empty).toEqual([]);
  });

  it('loads the alert rules, evaluates them without error, and fires none on a healthy Samplane', async () => {
    const groups = await waitFor(
      async () => {
        const data = await prometheus.api<{ groups: { rules: { name: string; health: string; state: string }[] }[] }>('rules');
        const rules = data.groups.flatMap((g) => g.rules);
        return rules.length === 9 && rules.every((r) => r.health === 'ok') ? rules : undefined;
      },
      'every alert rule evaluated',
      30_000,
      500,
    );
    expect(groups.filter((r) => r.state !== 'inactive')).toEqual([]);
    // Every metric an alert reads exists, so no alert is silently blind.
    for (const name of ['samplane_snapshot_age_seconds', 'samplane_snapshot_version', 'samplane_leader', 'samplane_calculations_total', 'samplane_calculator_state_saves_total', 'samplane_store_up', 'samplane_database_up', 'samplane_throughput_flush_failures_total', 'samplane_metric_series_omitted', 'samplane_calculation_unread_seconds_total']) {
      expect((await prometheus.query(name)).length).toBeGreaterThan(0);
    }
    expect(await prometheus.query('samplane_database_up')).toEqual([expect.objectContaining({ value: [expect.any(Number), '1'] })]);
  });
});
