import { useState } from 'preact/hooks';
import { ApiError, type Policy, type ServiceExplanation, type ServiceHistory, type Session, call, enc, get } from '../api';
import { percent, probability, rate, when } from '../format';
import { useLoaded } from '../hooks';
import { onLink } from '../router';
import { HistoryCharts } from './history-charts';
import { type Editing, PolicyForm } from './policy-form';

const REFRESH_MS = 5000;

/** One service: each operation's served rate and why, its history, and its policy for operators. */
export function ServicePage({ service, session }: { service: string; session: Session }) {
  const view = useLoaded(() => get<ServiceExplanation>(`/api/v1/services/${enc(service)}`), service, REFRESH_MS);
  const history = useLoaded(() => get<ServiceHistory>(`/api/v1/services/${enc(service)}/history`), service, REFRESH_MS);
  const [editing, setEditing] = useState<Editing | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const ownPolicy = view.data?.policy?.service === service;

  const openForm = async (): Promise<void> => {
    setStatus(undefined);
    setError(undefined);
    try {
      const answer = await call<Policy>('GET', `/api/v1/policies/${enc(service)}`);
      setEditing({ policy: answer.body, etag: answer.etag });
    } catch (reason) {
      if (reason instanceof ApiError && reason.status === 404) setEditing({ policy: null, etag: null });
      else setError(reason instanceof Error ? reason.message : String(reason));
    }
  };

  return (
    <>
      <p>
        <a href="/" onClick={onLink}>
          ← All services
        </a>
      </p>
      <h1>{service}</h1>
      {view.error && (
        <p class="error" role="alert">
          {view.error}
        </p>
      )}
      {status && (
        <p class="notice" role="status">
          {status}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {view.data && (
        <p>
          Rates from: <strong>{view.data.source}</strong>
          {view.data.policy && ` (policy for ${view.data.policy.service === '*' ? 'every service, *' : view.data.policy.service})`}
          {view.data.computedAt && ` · calculated ${when(view.data.computedAt)} · snapshot version ${view.data.snapshotVersion}`}
        </p>
      )}
      {session.role === 'operator' && view.data && !editing && (
        <p>
          <button type="button" onClick={() => void openForm()}>
            {ownPolicy ? 'Edit policy' : 'Create policy'}
          </button>
        </p>
      )}
      {editing && (
        <PolicyForm
          service={service}
          editing={editing}
          onCancel={() => setEditing(undefined)}
          onDone={(message) => {
            setEditing(undefined);
            setStatus(message);
            view.reload();
          }}
        />
      )}
      {view.data && <Operations view={view.data} />}
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Last hour</h2>
        {history.error && (
          <p class="error" role="alert">
            {history.error}
          </p>
        )}
        {history.data && <HistoryCharts history={history.data} />}
      </section>
    </>
  );
}

function Operations({ view }: { view: ServiceExplanation }) {
  return (
    <section aria-labelledby="operations-heading">
      <h2 id="operations-heading">Operations</h2>
      {view.operations.length === 0 ? (
        <p>No operations known yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col" class="num">Probability served</th>
              <th scope="col" class="num">Requests/s</th>
              <th scope="col" class="num">Sampled/s</th>
              <th scope="col" class="num">Error rate</th>
              <th scope="col">Source</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {view.operations.map((op) => (
              <tr key={op.operation}>
                <th scope="row">{op.operation}</th>
                <td class="num">{probability(op.probability)}</td>
                <td class="num">{rate(op.requestsPerSecond)}</td>
                <td class="num">{rate(op.sampledPerSecond)}</td>
                <td class="num">{percent(op.errorRate)}</td>
                <td>
                  {op.source}
                  {op.boosted && <span class="badge">boosted</span>}
                </td>
                <td class="reason">{op.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
