/**
 * A gauge family written straight in Prometheus's text format. For the families with
 * thousands of series (per service, per operation): prom-client hashes and validates every
 * label set when it is set and again when it is rendered, which at a large fleet's size made
 * each scrape hold the event loop for tens of milliseconds.
 */
export class TextFamily {
  private readonly header: string;

  constructor(
    readonly name: string,
    help: string,
    private readonly labelNames: readonly string[],
  ) {
    this.header = `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} gauge\n`;
  }

  /** One series' line; `labels` in the order of the family's label names. */
  line(labels: readonly string[], value: number): string {
    return `${this.prefix(labels)}${formatValue(value)}\n`;
  }

  /** A series' line up to its value (`name{labels} `), for a caller that keeps it. */
  prefix(labels: readonly string[]): string {
    let text = this.name;
    if (this.labelNames.length > 0) {
      text += '{';
      for (let i = 0; i < this.labelNames.length; i++) text += `${i > 0 ? ',' : ''}${this.labelNames[i]}="${escapeLabelValue(labels[i])}"`;
      text += '}';
    }
    return `${text} `;
  }

  /** The whole family: its header and the given lines (a family with no series is still described). */
  render(lines: string): string {
    return this.header + lines;
  }
}

/** Backslash, double quote and line feed are the characters a label value escapes. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** A sample value as Prometheus's text format writes it. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
