// Request log: the recent requests this replica saw, newest first; a row
// opens its route decision, attempts, tokens, timings and (when the
// operator turned capture on) the bodies.
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import * as f from '../format.js';
import { ErrorBox, PageHead, useDebounced, useLoad } from '../ui.jsx';

const statusClass = (s) => (s >= 500 ? 'red' : s >= 400 ? 'amber' : 'green');

// pretty indents a JSON body; anything else is shown as it came.
function pretty(s) {
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}

function Detail({ r, onClose }) {
  const attempts = r.attempts || [];
  const hedged = attempts.some((a) => a.hedged);
  const tok = [
    ['Input', r.input_tokens],
    ['Output', r.output_tokens],
    ['Cache read', r.cache_read_tokens],
    ['Cache write', r.cache_write_tokens],
    ['Reasoning', r.reasoning_tokens],
  ];
  return (
    <section class="card detail" data-testid="request-detail">
      <div class="row between">
        <h3>
          Request <span class="mono">{r.id}</span>
        </h3>
        <button data-testid="request-detail-close" onClick={onClose}>
          Close
        </button>
      </div>
      <dl class="kv">
        <dt>Time</dt>
        <dd>{f.dateTime(r.time)}</dd>
        <dt>Operation</dt>
        <dd>
          {r.dialect} {r.operation}
          {r.stream ? ' (stream)' : ''}
        </dd>
        <dt>Model asked</dt>
        <dd>{r.model || '—'}</dd>
        <dt>Served by</dt>
        <dd>
          {r.provider || '—'} {r.upstream_model ? <span class="muted">({r.upstream_model})</span> : null}
        </dd>
        <dt>Key / team</dt>
        <dd>
          <span class="mono">{r.key_id || '—'}</span> {r.team ? '/ ' + r.team : ''}
        </dd>
        <dt>Status</dt>
        <dd>
          <span class={'badge ' + statusClass(r.status)}>{r.status}</span> {r.error ? <span class="error">{r.error}</span> : null}
        </dd>
        <dt>Route</dt>
        <dd class="mono" data-testid="request-route">
          {r.route || '—'}
        </dd>
        <dt>Cost</dt>
        <dd>{f.usd(r.cost_usd)}</dd>
        <dt>Latency</dt>
        <dd>
          {f.msUnit(r.latency_ms)} total{r.ttft_ms ? `, ${f.msUnit(r.ttft_ms)} to first token` : ''}
        </dd>
      </dl>
      <h4>Attempts</h4>
      <table data-testid="request-attempts">
        <thead>
          <tr>
            <th>#</th>
            <th>Provider</th>
            <th>Model</th>
            <th>Outcome</th>
            <th class="num">Status</th>
            <th class="num">Duration</th>
            {hedged ? <th>Hedged</th> : null}
          </tr>
        </thead>
        <tbody>
          {attempts.length === 0 ? (
            <tr>
              <td colspan={hedged ? 7 : 6} class="muted">
                No upstream attempt.
              </td>
            </tr>
          ) : null}
          {attempts.map((a, i) => (
            <tr key={i} data-testid="request-attempt">
              <td>{i + 1}</td>
              <td>{a.provider}</td>
              <td>{a.model}</td>
              <td>
                <span class={'badge ' + (a.outcome === 'ok' ? 'green' : 'red')}>{a.outcome}</span>
              </td>
              <td class="num">{a.status || '—'}</td>
              <td class="num">{f.msUnit(a.duration_ms)}</td>
              {hedged ? <td>{a.hedged ? 'yes' : ''}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      <h4>Tokens</h4>
      {r.estimated ? (
        <p class="muted small" data-testid="request-estimated">
          Estimated: the stream ended before the upstream reported its usage, so railyard billed the prompt's count
          and the tokens of the text it relayed.
        </p>
      ) : null}
      <table class="compact" data-testid="request-tokens">
        <tbody>
          {tok.map(([l, v]) => (
            <tr key={l}>
              <td>{l}</td>
              <td class="num">{f.int(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.request_body !== undefined ? (
        <>
          <h4>Request body</h4>
          <pre class="body" data-testid="request-body">
            {pretty(r.request_body)}
          </pre>
        </>
      ) : null}
      {r.response_body !== undefined ? (
        <>
          <h4>Response body</h4>
          <pre class="body" data-testid="response-body">
            {pretty(r.response_body)}
          </pre>
        </>
      ) : null}
      {r.request_body === undefined && r.response_body === undefined ? (
        <p class="muted small">Bodies are not captured (the operator can turn it on with log.prompts: true).</p>
      ) : null}
    </section>
  );
}

export function Requests() {
  const [flt, setFlt] = useState({ model: '', provider: '', status: '', key: '' });
  const [auto, setAuto] = useState(true);
  const [picked, setPicked] = useState(null);
  const open = picked ? picked.id : '';
  const filters = useDebounced(flt, 300);
  const clean = Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, v.trim()]));
  const { data, error, busy, reload } = useLoad(
    (signal) => api.get('/admin/api/requests' + api.query({ limit: 100, ...clean }), { signal }),
    [JSON.stringify(clean)],
    auto ? 5000 : 0,
  );
  const rows = (data && data.requests) || [];
  // The picked row stays open even when it scrolls out of the ring.
  const sel = picked ? rows.find((r) => r.id === picked.id) || picked : null;
  const set = (k) => (e) => setFlt({ ...flt, [k]: e.currentTarget.value });
  return (
    <div class="page">
      <PageHead title="Requests">
        <label class="check">
          <input type="checkbox" data-testid="requests-auto" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} /> auto-refresh (5 s)
        </label>
        <button data-testid="requests-refresh" onClick={reload} disabled={busy}>
          Refresh
        </button>
      </PageHead>
      <section class="card">
        <div class="fields">
          {['model', 'provider', 'status', 'key'].map((k) => (
            <label class="field" key={k}>
              <span>{k}</span>
              <input data-testid={'requests-' + k} value={flt[k]} onInput={set(k)} placeholder="any" />
            </label>
          ))}
          <span class="muted small end">{`${rows.length} requests on this replica`}</span>
        </div>
      </section>
      <ErrorBox error={error} />
      <div class={sel ? 'split' : ''}>
        <section class="card">
          <div class="table-wrap">
            <table data-testid="requests-table" class="clickable">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Model</th>
                  <th>Provider</th>
                  <th class="num">Status</th>
                  <th class="num">Tokens</th>
                  <th class="num">Cost</th>
                  <th class="num">Latency</th>
                  <th class="num">TTFT</th>
                </tr>
              </thead>
              <tbody>
                {rows.length === 0 ? (
                  <tr>
                    <td colspan="8" class="muted">
                      {data ? 'No requests yet.' : ''}
                    </td>
                  </tr>
                ) : null}
                {rows.map((r) => (
                  <tr key={r.id} data-testid="request-row" data-id={r.id} class={r.id === open ? 'selected' : ''}
                    tabIndex={0}
                    aria-selected={r.id === open}
                    onClick={() => setPicked(r.id === open ? null : r)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        setPicked(r.id === open ? null : r);
                      }
                    }}
                  >
                    <td class="mono small" title={r.time}>
                      {f.time(r.time)}
                    </td>
                    <td>
                      {r.model || '—'}
                      {r.stream ? <span class="muted small"> stream</span> : null}
                    </td>
                    <td>{r.provider || '—'}</td>
                    <td class="num">
                      <span class={'badge ' + statusClass(r.status)}>{r.status}</span>
                    </td>
                    <td class="num">
                      {`${f.int(r.input_tokens)} / ${f.int(r.output_tokens)}`}
                      {r.estimated ? (
                        <span class="muted small" data-testid="tokens-estimated" title="railyard's estimate: the stream ended early">
                          {' '}
                          est.
                        </span>
                      ) : null}
                    </td>
                    <td class="num">{f.usd(r.cost_usd)}</td>
                    <td class="num">{f.ms(r.latency_ms)} ms</td>
                    <td class="num">{r.ttft_ms ? f.ms(r.ttft_ms) + ' ms' : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        {sel ? <Detail r={sel} onClose={() => setPicked(null)} /> : null}
      </div>
    </div>
  );
}
