import { useState } from 'preact/hooks';
import { type EngineStatus, type ServicePage, get } from '../api';
import { Pager } from '../components/pager';
import { age, percent, rate } from '../format';
import { useLoaded } from '../hooks';
import { onLink, servicePath } from '../router';

const PAGE = 50;
const REFRESH_MS = 5000;

/** Every service (searched and paged: fleets have thousands), fleet totals and the engine's state. */
export function Overview() {
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const query = `limit=${PAGE}&offset=${offset}${search ? `&search=${encodeURIComponent(search)}` : ''}`;
  const services = useLoaded(() => get<ServicePage>(`/api/v1/services?${query}`), query, REFRESH_MS);
  const engine = useLoaded(() => get<EngineStatus>('/api/v1/engine'), 'engine', REFRESH_MS);

  return (
    <>
      <h1>Services</h1>
      <EnginePanel engine={engine.data} error={engine.error} />
      <section aria-labelledby="services-heading">
        <h2 id="services-heading">Fleet</h2>
        <div class="toolbar">
          <label for="search">Search services</label>
          <input
            id="search"
            type="search"
            value={search}
            onInput={(e) => {
              setSearch(e.currentTarget.value);
              setOffset(0);
            }}
          />
        </div>
        {services.error && (
          <p class="error" role="alert">
            {services.error}
          </p>
        )}
        {services.data && (
          <>
            <table>
              <caption class="visually-hidden">Services</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Source</th>
                  <th scope="col" class="num">Operations</th>
                  <th scope="col" class="num">Requests/s</th>
                  <th scope="col" class="num">Sampled traces/s</th>
                  <th scope="col" class="num">Error rate</th>
                  <th scope="col">Boosted</th>
                </tr>
              </thead>
              <tbody>
                {services.data.items.map((s) => (
                  <tr key={s.service}>
                    <th scope="row">
                      <a href={servicePath(s.service)} onClick={onLink}>
                        {s.service}
                      </a>
                    </th>
                    <td>{s.source}</td>
                    <td class="num">{s.operations}</td>
                    <td class="num">{rate(s.requestsPerSecond)}</td>
                    <td class="num">{rate(s.sampledPerSecond)}</td>
                    <td class="num">{percent(s.errorRate)}</td>
                    <td>{s.boostedOperations.length > 0 ? s.boostedOperations.join(', ') : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {services.data.total === 0 && <p>No services{search ? ` match “${search}”` : ' have reported yet'}.</p>}
            <Pager offset={offset} limit={PAGE} total={services.data.total} onOffset={setOffset} what="services" />
          </>
        )}
      </section>
    </>
  );
}

function EnginePanel({ engine, error }: { engine?: EngineStatus; error?: string }) {
  if (error) {
    return (
      <p class="error" role="alert">
        Engine state unavailable: {error}
      </p>
    );
  }
  if (!engine) return <p class="loading">Loading…</p>;
  const last = engine.lastCalculation;
  return (
    <section aria-labelledby="engine-heading" class="panels">
      <h2 id="engine-heading" class="visually-hidden">
        Engine and fleet totals
      </h2>
      <dl class="panel" aria-label="Fleet totals">
        <div>
          <dt>Services</dt>
          <dd>{engine.fleet.services.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Operations</dt>
          <dd>{engine.fleet.operations.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Requests/s</dt>
          <dd>{rate(engine.fleet.requestsPerSecond)}</dd>
        </div>
        <div>
          <dt>Sampled traces/s</dt>
          <dd>{rate(engine.fleet.sampledPerSecond)}</dd>
        </div>
      </dl>
      <dl class="panel" aria-label="Engine">
        <div>
          <dt>Leader</dt>
          <dd>{engine.leader ?? 'none yet'}</dd>
        </div>
        <div>
          <dt>Algorithm</dt>
          <dd>{engine.algorithm}</dd>
        </div>
        <div>
          <dt>Last calculation</dt>
          <dd>{last ? `${age(last.ageSeconds)}, took ${last.durationMs.toFixed(1)} ms` : 'none yet'}</dd>
        </div>
        <div>
          <dt>Snapshot</dt>
          <dd>
            version {engine.snapshot.version}, {age(engine.snapshot.ageSeconds)}
          </dd>
        </div>
        {Object.entries(engine.dependencies).map(([name, check]) => (
          <div key={name}>
            <dt>{name === 'store' ? 'Store' : name === 'database' ? 'Database' : name}</dt>
            <dd class={check.status === 'up' ? 'up' : 'down'}>
              {check.kind ? `${check.kind}: ` : ''}
              {check.status}
              {check.reason ? ` (${check.reason})` : ''}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
