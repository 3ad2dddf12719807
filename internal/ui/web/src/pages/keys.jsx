// Keys and teams: create (the new key's secret shown once), edit, revoke,
// and each one's spend in its budget period against its budget.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api.js';
import * as f from '../format.js';
import { Bar, Confirm, ErrorBox, PageHead, useLoad } from '../ui.jsx';

// periodStart is the RFC 3339 start of a budget period in UTC ('' for
// total: the whole ledger), matching how the gateway meters budgets.
function periodStart(period, now = new Date()) {
  if (period === 'daily') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString().replace('.000Z', 'Z');
  if (period === 'monthly') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().replace('.000Z', 'Z');
  return '';
}

// spendBy fetches usage grouped by `by` once per budget period in use and
// returns period -> group -> cost_usd.
async function spendBy(by, periods, signal) {
  const out = {};
  await Promise.all(
    [...new Set(periods)].map(async (p) => {
      const r = await api.get('/admin/api/usage' + api.query({ by, since: periodStart(p) }), { signal });
      const m = {};
      for (const row of r.rows || []) m[row.group] = row.cost_usd;
      out[p] = m;
    }),
  );
  return out;
}

async function loadAll(signal) {
  const [k, t] = await Promise.all([api.get('/admin/api/keys', { signal }), api.get('/admin/api/teams', { signal })]);
  const keys = k.keys || [];
  const teams = t.teams || [];
  const period = (x) => x.budget_period || 'total';
  const [keySpend, teamSpend] = await Promise.all([
    keys.length ? spendBy('key', keys.map(period), signal) : {},
    teams.length ? spendBy('team', teams.map(period), signal) : {},
  ]);
  return { keys, teams, keySpend, teamSpend };
}

export function status(k, now = Date.now()) {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at && new Date(k.expires_at).getTime() <= now) return 'expired';
  return 'live';
}

const list = (s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

// num parses an optional number field: undefined when blank.
function num(s, what, integer) {
  const v = String(s).trim();
  if (v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new Error(`${what} must be a ${integer ? 'whole ' : ''}number ≥ 0`);
  return n;
}

function limits(x) {
  const parts = [];
  if (x.rpm) parts.push(`${f.count(x.rpm)} rpm`);
  if (x.tpm) parts.push(`${f.count(x.tpm)} tpm`);
  if (x.max_concurrency) parts.push(`${x.max_concurrency} conc.`);
  return parts.length ? parts.join(' · ') : '—';
}

function Budget({ testid, x, spend }) {
  const spent = spend || 0;
  const period = x.budget_period || 'total';
  if (!x.budget_usd) return <Bar testid={testid} fraction={0} text={`${f.usd(spent)} (no budget)`} title={`spend, ${period}`} />;
  return (
    <Bar
      testid={testid}
      fraction={spent / x.budget_usd}
      text={`${f.usd(spent)} / ${f.usdShort(x.budget_usd)} ${period}`}
      title={`${((spent / x.budget_usd) * 100).toFixed(1)}% of the ${period} budget`}
    />
  );
}

function Secret({ created, onClose }) {
  const [copied, setCopied] = useState('');
  const box = useRef(null);
  // The form may be scrolled away from the top: bring the key into view.
  useEffect(() => {
    if (box.current && box.current.scrollIntoView) box.current.scrollIntoView({ block: 'nearest' });
  }, [created]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied('Copied.');
    } catch {
      setCopied('Copy failed: select the key and copy it by hand.');
    }
  };
  return (
    <div class="card secret" role="status" ref={box}>
      <p>
        <strong>Key “{created.name}” created.</strong> Copy it now: it will not be shown again.
      </p>
      <div class="row">
        <code class="secret-value" data-testid="key-secret">
          {created.key}
        </code>
        <button data-testid="key-secret-copy" onClick={copy}>
          Copy
        </button>
        <button data-testid="key-secret-close" onClick={onClose}>
          Done
        </button>
      </div>
      <p class="muted small">{copied}</p>
    </div>
  );
}

// blankKey is the new-key form's empty state; a created key resets every
// field to it, so the next key starts from nothing of the last one.
const blankKey = () => ({ name: '', team: '', models: '', budget: '', period: 'total', rpm: '', tpm: '' });
const blankTeam = () => ({ name: '', budget: '', period: 'total' });

function CreateKey({ teams, onCreated }) {
  const [v, setV] = useState(blankKey);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setErr(null);
    let body;
    try {
      body = { name: v.name.trim() };
      if (v.team.trim()) body.team = v.team.trim();
      if (list(v.models).length) body.models = list(v.models);
      const b = num(v.budget, 'budget', false);
      if (b !== undefined) {
        body.budget_usd = b;
        body.budget_period = v.period;
      }
      const rpm = num(v.rpm, 'rpm', true);
      if (rpm !== undefined) body.rpm = rpm;
      const tpm = num(v.tpm, 'tpm', true);
      if (tpm !== undefined) body.tpm = tpm;
    } catch (x) {
      setErr(x);
      return;
    }
    setBusy(true);
    try {
      const created = await api.post('/admin/api/keys', body);
      setV(blankKey());
      onCreated(created);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={submit}>
      <h3>New key</h3>
      <div class="fields">
        <label class="field">
          <span>Name</span>
          <input data-testid="key-name" value={v.name} onInput={set('name')} required placeholder="ci-bot" />
        </label>
        <label class="field">
          <span>Team</span>
          <input data-testid="key-team" value={v.team} onInput={set('team')} list="team-names" placeholder="optional" />
          <datalist id="team-names">
            {teams.map((t) => (
              <option key={t.id} value={t.name} />
            ))}
          </datalist>
        </label>
        <label class="field wide">
          <span>Models (comma list)</span>
          <input data-testid="key-models" value={v.models} onInput={set('models')} placeholder="all models" />
        </label>
        <LimitFields v={v} set={set} testid="key" />
        <div class="field end">
          <button data-testid="key-create" type="submit" class="primary" disabled={busy}>
            Create key
          </button>
        </div>
      </div>
      <ErrorBox error={err} testid="key-error" />
    </form>
  );
}

// LimitFields are a key's budget, period and rate limits, the same in the
// create and the edit form; their test ids are testid + "-budget", ...
function LimitFields({ v, set, testid }) {
  return (
    <>
      <label class="field">
        <span>Budget (USD)</span>
        <input data-testid={testid + '-budget'} value={v.budget} onInput={set('budget')} inputmode="decimal" placeholder="none" />
      </label>
      <label class="field">
        <span>Period</span>
        <select data-testid={testid + '-period'} value={v.period} onChange={set('period')}>
          <option value="total">total</option>
          <option value="monthly">monthly</option>
          <option value="daily">daily</option>
        </select>
      </label>
      <label class="field">
        <span>RPM</span>
        <input data-testid={testid + '-rpm'} value={v.rpm} onInput={set('rpm')} inputmode="numeric" placeholder="none" />
      </label>
      <label class="field">
        <span>TPM</span>
        <input data-testid={testid + '-tpm'} value={v.tpm} onInput={set('tpm')} inputmode="numeric" placeholder="none" />
      </label>
    </>
  );
}

function EditKey({ k, onDone, onCancel }) {
  const [v, setV] = useState({
    name: k.name,
    team: k.team || '',
    models: (k.models || []).join(', '),
    budget: k.budget_usd ? String(k.budget_usd) : '',
    period: k.budget_period || 'total',
    rpm: k.rpm ? String(k.rpm) : '',
    tpm: k.tpm ? String(k.tpm) : '',
  });
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (x) => (e) => setV({ ...v, [x]: e.currentTarget.value });
  const save = async (e) => {
    e.preventDefault();
    setErr(null);
    let body;
    try {
      // Blank limits mean none (0), so clearing a field removes the limit.
      body = {
        name: v.name.trim(),
        team: v.team.trim(),
        models: list(v.models),
        budget_usd: num(v.budget, 'budget', false) || 0,
        budget_period: v.period,
        rpm: num(v.rpm, 'rpm', true) || 0,
        tpm: num(v.tpm, 'tpm', true) || 0,
      };
    } catch (x) {
      setErr(x);
      return;
    }
    setBusy(true);
    try {
      await api.patch('/admin/api/keys/' + encodeURIComponent(k.id), body);
      onDone();
    } catch (x) {
      setErr(x);
      setBusy(false);
    }
  };
  return (
    <tr class="edit-row">
      <td colspan="9">
        <form class="fields" onSubmit={save} data-testid={'key-edit-form-' + k.id}>
          <label class="field">
            <span>Name</span>
            <input data-testid="key-edit-name" value={v.name} onInput={set('name')} required />
          </label>
          <label class="field">
            <span>Team</span>
            <input data-testid="key-edit-team" value={v.team} onInput={set('team')} />
          </label>
          <label class="field wide">
            <span>Models</span>
            <input data-testid="key-edit-models" value={v.models} onInput={set('models')} />
          </label>
          <LimitFields v={v} set={set} testid="key-edit" />
          <div class="field end row">
            <button type="button" data-testid="key-edit-cancel" onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" class="primary" data-testid="key-edit-save" disabled={busy}>
              Save
            </button>
          </div>
        </form>
        <ErrorBox error={err} testid="key-edit-error" />
      </td>
    </tr>
  );
}

function KeysTable({ data, onChanged }) {
  const [editing, setEditing] = useState('');
  const [revoking, setRevoking] = useState(null);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    try {
      await api.del('/admin/api/keys/' + encodeURIComponent(revoking.id));
      setErr(null);
      onChanged();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  };
  const keys = data.keys;
  return (
    <section class="card">
      <h3>Keys</h3>
      <ErrorBox error={err} />
      <div class="table-wrap">
        <table data-testid="keys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Team</th>
              <th>Prefix</th>
              <th>Models</th>
              <th>Limits</th>
              <th>Status</th>
              <th class="wide-col">Spend / budget</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.length === 0 ? (
              <tr>
                <td colspan="9" class="muted">
                  No keys yet.
                </td>
              </tr>
            ) : null}
            {keys.map((k) => {
              const st = status(k);
              const spend = (data.keySpend[k.budget_period || 'total'] || {})[k.id];
              return [
                <tr key={k.id} data-testid={'key-row-' + k.id} class={st !== 'live' ? 'dim' : ''}>
                  <td>
                    <strong>{k.name}</strong>
                    <div class="muted small mono">{k.id}</div>
                  </td>
                  <td>{k.team || '—'}</td>
                  <td class="mono">{k.prefix}</td>
                  <td>{k.models && k.models.length ? k.models.join(', ') : <span class="muted">all</span>}</td>
                  <td>{limits(k)}</td>
                  <td>
                    <span class={'badge ' + st} data-testid={'key-status-' + k.id}>
                      {st}
                    </span>
                  </td>
                  <td>
                    <Budget testid={'key-budget-' + k.id} x={k} spend={spend} />
                  </td>
                  <td class="small nowrap">{f.dateTime(k.created_at)}</td>
                  <td class="actions">
                    {st !== 'revoked' ? (
                      <>
                        <button data-testid={'key-edit-' + k.id} onClick={() => setEditing(editing === k.id ? '' : k.id)}>
                          Edit
                        </button>
                        <button data-testid={'key-revoke-' + k.id} class="danger" onClick={() => setRevoking(k)}>
                          Revoke
                        </button>
                      </>
                    ) : null}
                  </td>
                </tr>,
                editing === k.id ? (
                  <EditKey
                    key={k.id + '-edit'}
                    k={k}
                    onCancel={() => setEditing('')}
                    onDone={() => {
                      setEditing('');
                      onChanged();
                    }}
                  />
                ) : null,
              ];
            })}
          </tbody>
        </table>
      </div>
      {revoking ? (
        <Confirm
          text={`Revoke key “${revoking.name}” (${revoking.prefix}…)? Requests with it are refused from now on; this cannot be undone.`}
          yes="Revoke"
          busy={busy}
          onYes={revoke}
          onNo={() => setRevoking(null)}
        />
      ) : null}
    </section>
  );
}

function Teams({ data, onChanged }) {
  const [v, setV] = useState(blankTeam);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(null);
  const create = async (e) => {
    e.preventDefault();
    setErr(null);
    try {
      const body = { name: v.name.trim() };
      const b = num(v.budget, 'budget', false);
      if (b !== undefined) {
        body.budget_usd = b;
        body.budget_period = v.period;
      }
      setBusy(true);
      await api.post('/admin/api/teams', body);
      setV(blankTeam());
      onChanged();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await api.del('/admin/api/teams/' + encodeURIComponent(deleting.id));
      onChanged();
    } catch (x) {
      setErr(x);
    } finally {
      setDeleting(null);
    }
  };
  const keysOf = (name) => data.keys.filter((k) => k.team === name && status(k) === 'live').length;
  return (
    <section class="card">
      <h3>Teams</h3>
      <form class="fields" onSubmit={create}>
        <label class="field">
          <span>Name</span>
          <input data-testid="team-name" value={v.name} onInput={(e) => setV({ ...v, name: e.currentTarget.value })} required placeholder="platform" />
        </label>
        <label class="field">
          <span>Budget (USD)</span>
          <input data-testid="team-budget" value={v.budget} onInput={(e) => setV({ ...v, budget: e.currentTarget.value })} inputmode="decimal" placeholder="none" />
        </label>
        <label class="field">
          <span>Period</span>
          <select data-testid="team-period" value={v.period} onChange={(e) => setV({ ...v, period: e.currentTarget.value })}>
            <option value="total">total</option>
            <option value="monthly">monthly</option>
            <option value="daily">daily</option>
          </select>
        </label>
        <div class="field end">
          <button data-testid="team-create" type="submit" class="primary" disabled={busy}>
            Create team
          </button>
        </div>
      </form>
      <ErrorBox error={err} testid="team-error" />
      <div class="table-wrap">
        <table data-testid="teams-table">
          <thead>
            <tr>
              <th>Name</th>
              <th class="num">Live keys</th>
              <th>Limits</th>
              <th class="wide-col">Spend / budget</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.teams.length === 0 ? (
              <tr>
                <td colspan="6" class="muted">
                  No teams yet.
                </td>
              </tr>
            ) : null}
            {data.teams.map((t) => (
              <tr key={t.id} data-testid={'team-row-' + t.id}>
                <td>
                  <strong>{t.name}</strong>
                  <div class="muted small mono">{t.id}</div>
                </td>
                <td class="num">{keysOf(t.name)}</td>
                <td>{limits(t)}</td>
                <td>
                  <Budget testid={'team-budget-' + t.id} x={t} spend={(data.teamSpend[t.budget_period || 'total'] || {})[t.name]} />
                </td>
                <td class="small nowrap">{f.dateTime(t.created_at)}</td>
                <td class="actions">
                  <button class="danger" data-testid={'team-delete-' + t.id} onClick={() => setDeleting(t)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {deleting ? <Confirm text={`Delete team “${deleting.name}”?`} yes="Delete" onYes={remove} onNo={() => setDeleting(null)} /> : null}
    </section>
  );
}

export function Keys() {
  const { data, error, reload } = useLoad((signal) => loadAll(signal), []);
  // The secret lives only in this state: never in the URL or storage,
  // and gone once closed.
  const [created, setCreated] = useState(null);
  return (
    <div class="page">
      <PageHead title="Keys & teams" />
      <ErrorBox error={error} />
      {created ? <Secret created={created} onClose={() => setCreated(null)} /> : null}
      <CreateKey
        teams={data ? data.teams : []}
        onCreated={(c) => {
          setCreated(c);
          reload();
        }}
      />
      {data ? <KeysTable data={data} onChanged={reload} /> : null}
      {data ? <Teams data={data} onChanged={reload} /> : null}
    </div>
  );
}
