// Providers and routes: each route target's live health as this replica
// sees it (breaker, latency EWMAs, error rate, in flight, capacity in use),
// refreshed every 2 seconds.
import * as api from '../api.js';
import * as f from '../format.js';
import { Bar, ErrorBox, PageHead, useLoad } from '../ui.jsx';

const breakerClass = { closed: 'green', 'half-open': 'amber', open: 'red' };

// Capacity shows one bar per configured limit (concurrency, rpm, tpm).
function Capacity({ t }) {
  const cap = t.capacity || {};
  const used = t.used || {};
  const parts = [
    ['conc', 'concurrency'],
    ['rpm', 'rpm'],
    ['tpm', 'tpm'],
  ].filter(([, k]) => cap[k] > 0);
  if (parts.length === 0) return <span class="muted">not limited</span>;
  return (
    <div class="stack" data-testid="provider-capacity">
      {parts.map(([l, k]) => (
        <Bar key={k} fraction={(used[k] || 0) / cap[k]} text={`${l} ${f.int(used[k] || 0)} / ${f.int(cap[k])}`} />
      ))}
    </div>
  );
}

export function Providers() {
  const { data, error } = useLoad((signal) => api.get('/admin/api/providers', { signal }), [], 2000);
  const targets = (data && data.targets) || [];
  let last = '';
  return (
    <div class="page">
      <PageHead title="Providers & routes">
        <span class="muted small">live, refreshed every 2 s</span>
      </PageHead>
      <ErrorBox error={error} />
      <section class="card">
        <div class="table-wrap">
          <table data-testid="providers-table">
            <thead>
              <tr>
                <th>Model</th>
                <th>Policy</th>
                <th>Provider</th>
                <th>Upstream model</th>
                <th>Breaker</th>
                <th class="num">TTFT EWMA</th>
                <th class="num">TPOT EWMA</th>
                <th class="num">Error rate</th>
                <th class="num">In flight</th>
                <th class="wide-col">Capacity in use</th>
              </tr>
            </thead>
            <tbody>
              {targets.length === 0 ? (
                <tr>
                  <td colspan="10" class="muted">
                    {data ? 'No route targets.' : ''}
                  </td>
                </tr>
              ) : null}
              {targets.map((t, i) => {
                const first = t.model !== last;
                last = t.model;
                return (
                  <tr key={t.model + '|' + t.provider + '|' + t.upstream_model + '|' + i} data-testid="provider-row" class={first ? 'group-start' : ''}>
                    <td>{first ? <strong>{t.model}</strong> : <span class="muted">{t.model}</span>}</td>
                    <td>{t.policy}</td>
                    <td>
                      {t.provider}
                      {t.tags && t.tags.length ? <div class="muted small">{t.tags.join(', ')}</div> : null}
                    </td>
                    <td class="mono small">{t.upstream_model}</td>
                    <td>
                      <span class={'badge ' + (breakerClass[t.breaker] || '')} data-testid="breaker-state">
                        {t.breaker}
                      </span>
                    </td>
                    <td class="num">{t.ttft_ewma_ms ? f.msUnit(t.ttft_ewma_ms) : '—'}</td>
                    <td class="num">{t.tpot_ewma_ms ? f.msUnit(t.tpot_ewma_ms) : '—'}</td>
                    <td class="num">{f.pct(t.error_rate)}</td>
                    <td class="num">{f.int(t.in_flight)}</td>
                    <td>
                      <Capacity t={t} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
