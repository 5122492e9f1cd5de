import { useState } from 'preact/hooks';
import { type AuditEntry, type AuditPage as Page, enc, get } from '../api';
import { when } from '../format';
import { useLoaded } from '../hooks';
import { navigate, onLink, servicePath } from '../router';
import { changes } from '../diff';

const PAGE = 25;

/** Who changed which policy and how, newest first, by service, a page at a time. */
export function AuditPage({ service }: { service: string }) {
  const [filter, setFilter] = useState(service);
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors[cursors.length - 1];
  const query = `limit=${PAGE}${service ? `&service=${enc(service)}` : ''}${before ? `&before=${before}` : ''}`;
  const page = useLoaded(() => get<Page>(`/api/v1/audit?${query}`), query);

  return (
    <>
      <h1>Audit</h1>
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([]);
          navigate(filter ? `/ui/audit?service=${enc(filter)}` : '/ui/audit');
        }}
      >
        <label for="audit-service">Service</label>
        <input id="audit-service" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <button type="submit">Filter</button>
      </form>
      {page.error && (
        <p class="error" role="alert">
          {page.error}
        </p>
      )}
      {page.data && page.data.items.length === 0 && <p>No changes{service ? ` to the policy of ${service}` : ''}.</p>}
      {page.data && page.data.items.length > 0 && (
        <table class="audit">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Service</th>
              <th scope="col">Version</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((entry) => (
              <Row key={entry.id} entry={entry} />
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages of audit entries">
        <button type="button" class="secondary" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          class="secondary"
          disabled={!page.data?.next}
          onClick={() => page.data?.next && setCursors([...cursors, page.data.next])}
        >
          Older
        </button>
      </nav>
    </>
  );
}

function Row({ entry }: { entry: AuditEntry }) {
  return (
    <tr>
      <td>
        <time dateTime={entry.at}>{when(entry.at)}</time>
      </td>
      <td>{entry.actor}</td>
      <td>{entry.action}</td>
      <td>
        <a href={servicePath(entry.service)} onClick={onLink}>
          {entry.service}
        </a>
      </td>
      <td>{entry.version}</td>
      <td>
        <ul class="diff">
          {changes(entry.before, entry.after).map((c) => (
            <li key={c.path}>
              <code>{c.path}</code>:{' '}
              {c.before !== undefined && <del aria-label={`before: ${c.before}`}>{c.before}</del>}
              {c.before !== undefined && c.after !== undefined && ' → '}
              {c.after !== undefined && <ins aria-label={`after: ${c.after}`}>{c.after}</ins>}
            </li>
          ))}
        </ul>
      </td>
    </tr>
  );
}
