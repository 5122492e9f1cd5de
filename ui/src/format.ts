/** Numbers as a person reads them; probabilities exactly as served, so they compare with `/sampling`. */

export function probability(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : String(p);
}

export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value === 0) return '0';
  if (value >= 100) return Math.round(value).toLocaleString('en');
  if (value >= 1) return value.toFixed(1);
  return value.toPrecision(2);
}

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${(value * 100).toFixed(value < 0.001 && value > 0 ? 3 : 1)}%`;
}

export function age(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return 'never';
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${(seconds / 3600).toFixed(1)} h ago`;
}

export function when(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
}
