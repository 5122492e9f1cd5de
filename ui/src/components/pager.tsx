export function Pager(props: { offset: number; limit: number; total: number; what: string; onOffset(offset: number): void }) {
  const { offset, limit, total, what } = props;
  if (total <= limit && offset === 0) return null;
  const last = Math.min(offset + limit, total);
  return (
    <nav class="pager" aria-label={`Pages of ${what}`}>
      <button type="button" class="secondary" disabled={offset === 0} onClick={() => props.onOffset(Math.max(0, offset - limit))}>
        Previous page
      </button>
      <span aria-live="polite">
        {offset + 1}–{last} of {total.toLocaleString('en')}
      </span>
      <button type="button" class="secondary" disabled={last >= total} onClick={() => props.onOffset(offset + limit)}>
        Next page
      </button>
    </nav>
  );
}
