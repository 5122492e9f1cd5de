import { MetricsService } from '../../../src/telemetry/metrics.service';

// Nest's decorators are ES modules Jest cannot load here; the class is built with `new`.
jest.mock('@nestjs/common', () => ({ Injectable: () => () => undefined }));

describe('MetricsService scrape body', () => {
  it("keeps the families in the order they were added, text and bytes alike, after the registry's", async () => {
    const metrics = new MetricsService();
    metrics.addTextFamily(() => '# TYPE first gauge\nfirst 1\n');
    metrics.addTextFamily(() => Buffer.from('# TYPE second gauge\nsecond{name="ünï"} 2\n'));
    metrics.addTextFamily(() => '# TYPE third gauge\nthird 3\n');

    const body = await metrics.renderBytes();

    const text = body.toString('utf8');
    const families = '# TYPE first gauge\nfirst 1\n# TYPE second gauge\nsecond{name="ünï"} 2\n# TYPE third gauge\nthird 3\n';
    // The registry's own series first (their values move between scrapes), then the families.
    expect(text.indexOf('samplane_snapshot_version')).toBeGreaterThan(0);
    expect(text.indexOf('samplane_snapshot_version')).toBeLessThan(text.indexOf('# TYPE first gauge'));
    expect(text.endsWith(families)).toBe(true);
    expect((await metrics.render()).endsWith(families)).toBe(true);
  });
});
