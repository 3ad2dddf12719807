// Usage explorer: the ledger summed by a group under filters, with a
// total row and the matching CSV export.
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import * as f from '../format.js';
import { ErrorBox, PageHead, Select, useDebounced, useLoad } from '../ui.jsx';

const sinces = [
  { value: '1h', label: 'Last 1h' },
  { value: '24h', label: 'Last 24h' },
  { value: '7d', label: 'Last 7d' },
  { value: '30d', label: 'Last 30d' },
  { value: '90d', label: 'Last 90d' },
  { value: '', label: 'All time' },
];
const bys = ['model', 'provider', 'key', 'team', 'day'].map((v) => ({ value: v, label: v }));

const cols = [
  ['requests', 'Requests'],
  ['input_tokens', 'Input'],
  ['output_tokens', 'Output'],
  ['cache_read_tokens', 'Cache read'],
  ['cache_write_tokens', 'Cache write'],
  ['reasoning_tokens', 'Reasoning'],
];

function Filter({ testid, label, value, onInput, list, options }) {
  return (
    <label class="field">
      <span>{label}</span>
      <input data-testid={testid} value={value} onInput={(e) => onInput(e.currentTarget.value)} list={list} placeholder="any" />
      {options ? (
        <datalist id={list}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </datalist>
      ) : null}
    </label>
  );
}

export function Usage() {
  const [since, setSince] = useState('24h');
  const [by, setBy] = useState('model');
  const [flt, setFlt] = useState({ key: '', team: '', model: '', provider: '' });
  const filters = useDebounced(flt, 300);
  const clean = Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, v.trim()]));
  const q = { since, by, ...clean };
  const { data, error, busy } = useLoad((signal) => api.get('/admin/api/usage' + api.query(q), { signal }), [since, by, JSON.stringify(clean)]);
  // Names for the pickers: keys and teams from the admin API (optional).
  const names = useLoad(
    async (signal) => {
      const [k, t] = await Promise.all([api.get('/admin/api/keys', { signal }), api.get('/admin/api/teams', { signal })]);
      return { keys: k.keys || [], teams: t.teams || [] };
    },
    [],
  ).data;
  const keyName = {};
  if (names) for (const k of names.keys) keyName[k.id] = k.name;
  const [sort, setSort] = useState({ key: '', desc: true });
  const rows = [...((data && data.rows) || [])];
  if (sort.key) {
    const k = sort.key;
    const cmp = (a, b) => (k === 'group' ? String(a.group).localeCompare(String(b.group)) : (a[k] || 0) - (b[k] || 0));
    rows.sort((a, b) => (sort.desc ? -cmp(a, b) : cmp(a, b)));
  }
  // Sort by a column: first click largest first, second click reverses.
  const th = (key, label, num) => (
    <th key={key} class={num ? 'num' : ''} aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : undefined}>
      <button class="sort" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key !== 'group' })}>
        {label}
        {sort.key === key ? (sort.desc ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
  const total = { requests: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost_usd: 0 };
  for (const r of rows) for (const k of Object.keys(total)) total[k] += r[k] || 0;
  const csv = '/admin/api/ledger.csv' + api.query({ since, ...clean });
  const set = (k) => (v) => setFlt({ ...flt, [k]: v });
  return (
    <div class="page">
      <PageHead title="Usage">
        <a class="button" data-testid="usage-csv" href={csv} download="ledger.csv">
          Export CSV
        </a>
      </PageHead>
      <section class="card">
        <div class="fields">
          <Select testid="usage-since" label="Since" value={since} onChange={setSince} options={sinces} />
          <Filter testid="usage-key" label="Key id" value={flt.key} onInput={set('key')} list="usage-keys" options={names && names.keys.map((k) => ({ value: k.id, label: k.name }))} />
          <Filter testid="usage-team" label="Team" value={flt.team} onInput={set('team')} list="usage-teams" options={names && names.teams.map((t) => ({ value: t.name, label: t.name }))} />
          <Filter testid="usage-model" label="Model" value={flt.model} onInput={set('model')} />
          <Filter testid="usage-provider" label="Provider" value={flt.provider} onInput={set('provider')} />
          <Select testid="usage-by" label="Group by" value={by} onChange={setBy} options={bys} />
          <span class="muted small end">{busy ? 'loading…' : f.plural(rows.length, 'group')}</span>
        </div>
      </section>
      <ErrorBox error={error} />
      <section class="card">
        <div class="table-wrap">
          <table data-testid="usage-table">
            <thead>
              <tr>
                {th('group', by.charAt(0).toUpperCase() + by.slice(1), false)}
                {cols.map(([k, l]) => th(k, l, true))}
                {th('cost_usd', 'Cost', true)}
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 ? (
                <tr>
                  <td colspan={cols.length + 2} class="muted">
                    No usage in this range.
                  </td>
                </tr>
              ) : null}
              {rows.map((r) => (
                <tr key={r.group} data-testid="usage-row">
                  <td>
                    <span data-testid="usage-group">{r.group || '(none)'}</span>
                    {by === 'key' && keyName[r.group] ? <span class="muted small"> {keyName[r.group]}</span> : null}
                  </td>
                  {cols.map(([k]) => (
                    <td key={k} class="num">
                      {f.int(r[k])}
                    </td>
                  ))}
                  <td class="num">{f.usd(r.cost_usd)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr data-testid="usage-total" class="total">
                <td>Total</td>
                {cols.map(([k]) => (
                  <td key={k} class="num">
                    {f.int(total[k])}
                  </td>
                ))}
                <td class="num">{f.usd(total.cost_usd)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </section>
    </div>
  );
}
