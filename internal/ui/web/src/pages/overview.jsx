// Overview: the totals of a time range as tiles and the ledger's series
// as charts (requests, spend, tokens, error rate, latency), one line per
// group when split by model, provider, key or team.
import { useMemo, useState } from 'preact/hooks';
import * as api from '../api.js';
import * as f from '../format.js';
import { Chart, palette } from '../chart.jsx';
import { ErrorBox, PageHead, Select, Stat, useLoad } from '../ui.jsx';

const ranges = ['1h', '24h', '7d', '30d'].map((v) => ({ value: v, label: 'Last ' + v }));
const splits = [
  { value: '', label: 'No split' },
  { value: 'model', label: 'By model' },
  { value: 'provider', label: 'By provider' },
  { value: 'key', label: 'By key' },
  { value: 'team', label: 'By team' },
];

const fmtCount = (v) => f.si(v);

// decimals is how many decimals the axis ticks need for their step.
function decimals(splits, max = 6) {
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : Math.abs(splits[0] || 1);
  if (!step) return 0;
  return Math.min(max, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
}
const ticksUSD = (splits) => {
  const d = decimals(splits);
  return splits.map((v) => (v == null ? '' : '$' + v.toFixed(d)));
};
const ticksPct = (splits) => {
  const d = decimals(splits.map((v) => v * 100), 2);
  return splits.map((v) => (v == null ? '' : (v * 100).toFixed(d) + '%'));
};
const fmtUSD = (v) => f.usd(v);
const fmtPct = (v) => +(v * 100).toFixed(2) + '%';
const fmtMs = (v) => (v >= 1000 ? +(v / 1000).toFixed(2) + ' s' : +v.toFixed(1) + ' ms');

const none = [];

function stepLabel(sec) {
  if (!sec) return '';
  if (sec % 86400 === 0) return `${sec / 86400} d buckets`;
  if (sec % 3600 === 0) return `${sec / 3600} h buckets`;
  if (sec % 60 === 0) return `${sec / 60} min buckets`;
  return `${sec} s buckets`;
}

// gap turns a latency of an empty bucket into a gap rather than a zero.
const gap = (p, v) => (p.requests > 0 ? v : null);

// Lines a split chart draws at most; the smaller groups are summed into
// one "other" line (counts, spend, error rate; no latency: percentiles do
// not add up).
const maxLines = 9;

function topGroups(series) {
  if (series.length <= maxLines) return { shown: series, other: null };
  const total = (s) => s.points.reduce((n, p) => n + p.requests, 0);
  const sorted = [...series].sort((a, b) => total(b) - total(a) || (a.group < b.group ? -1 : 1));
  const rest = sorted.slice(maxLines - 1);
  const keys = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cost_usd'];
  const points = rest[0].points.map((p, i) => {
    const o = { t: p.t };
    for (const k of keys) o[k] = rest.reduce((n, s) => n + (s.points[i] ? s.points[i][k] || 0 : 0), 0);
    return o;
  });
  return { shown: sorted.slice(0, maxLines - 1), other: { group: `other (${rest.length} groups)`, points } };
}

function charts(data, names) {
  const all = (data && data.series) || [];
  if (all.length === 0) return null;
  const { shown, other } = topGroups(all);
  const series = other ? [...shown, other] : shown;
  const xs = series[0].points.map((p) => p.t);
  const split = !(series.length === 1 && series[0].group === 'all');
  const name = (s) => (names && names[s.group]) || s.group || '(none)';
  const col = (i) => palette[i % palette.length];
  const line = (s, i, label, pick, extra) => ({ label, color: s === other ? '#9aa4b1' : col(i), values: s.points.map(pick), ...extra });
  const out = {
    xs,
    requests: series.map((s, i) => line(s, i, name(s), (p) => p.requests)),
    spend: series.map((s, i) => line(s, i, name(s), (p) => p.cost_usd)),
    // A bucket without requests had no errors: 0, not a gap.
    errors: series.map((s, i) => line(s, i, name(s), (p) => (p.requests > 0 ? p.errors / p.requests : 0))),
  };
  if (split) {
    out.tokens = series.map((s, i) => line(s, i, name(s), (p) => p.input_tokens + p.output_tokens));
    out.latency = shown.flatMap((s, i) => [
      line(s, i, name(s) + ' p95', (p) => gap(p, p.p95_ms)),
      line(s, i, name(s) + ' p50', (p) => gap(p, p.p50_ms), { dash: [4, 4] }),
    ]);
  } else {
    const s = series[0];
    out.tokens = [
      line(s, 0, 'input', (p) => p.input_tokens),
      line(s, 1, 'output', (p) => p.output_tokens),
      line(s, 2, 'cache read', (p) => p.cache_read_tokens),
      line(s, 3, 'reasoning', (p) => p.reasoning_tokens),
    ];
    out.latency = [line(s, 0, 'p50', (p) => gap(p, p.p50_ms)), line(s, 1, 'p95', (p) => gap(p, p.p95_ms))];
  }
  return out;
}

export function Overview() {
  const [since, setSince] = useState('24h');
  const [by, setBy] = useState('');
  const { data, error, busy } = useLoad((signal) => api.get('/admin/api/series' + api.query({ since, by }), { signal }), [since, by], 30000);
  const t = (data && data.totals) || null;
  // Split by key: label the lines with the keys' names too.
  const keys = useLoad((signal) => (by === 'key' ? api.get('/admin/api/keys', { signal }) : Promise.resolve(null)), [by]).data;
  const names = useMemo(() => {
    const list = (keys && keys.keys) || [];
    const seen = {};
    for (const k of list) seen[k.name] = (seen[k.name] || 0) + 1;
    // A key's name alone, unless two keys share it.
    const m = {};
    for (const k of list) m[k.id] = seen[k.name] > 1 ? `${k.name} …${k.id.slice(-4)}` : k.name;
    return m;
  }, [keys]);
  const c = useMemo(() => charts(data, names), [data, names]);
  const errorRate = t ? (t.requests > 0 ? t.errors / t.requests : t.error_rate || 0) : 0;
  const step = stepLabel(data && data.step_seconds);
  return (
    <div class="page">
      <PageHead title="Overview">
        <Select testid="overview-range" aria="Time range" value={since} onChange={setSince} options={ranges} />
        <Select testid="overview-by" aria="Split by" value={by} onChange={setBy} options={splits} />
        <span class="muted small">{busy ? 'loading…' : step}</span>
      </PageHead>
      <ErrorBox error={error} />
      <div class="tiles">
        <Stat label="Requests" testid="stat-requests" value={t ? f.int(t.requests) : '–'} />
        <Stat label="Spend" testid="stat-spend" value={t ? f.usd(t.cost_usd) : '–'} />
        <Stat label="Input tokens" testid="stat-input-tokens" value={t ? f.int(t.input_tokens) : '–'} />
        <Stat label="Output tokens" testid="stat-output-tokens" value={t ? f.int(t.output_tokens) : '–'} />
        <Stat label="Error rate" testid="stat-error-rate" value={t ? f.pct(errorRate) : '–'} hint={t ? f.plural(t.errors, 'error') : ''} />
        <Stat label="Latency p50" testid="stat-p50" value={t ? f.ms(t.p50_ms) : '–'} unit="ms" />
        <Stat label="Latency p95" testid="stat-p95" value={t ? f.ms(t.p95_ms) : '–'} unit="ms" />
      </div>
      <div class="charts">
        <Chart testid="chart-requests" title="Requests" xs={c ? c.xs : none} series={c ? c.requests : none} fmt={fmtCount} empty={c ? '' : 'No data yet.'} />
        <Chart testid="chart-spend" title="Spend (USD)" xs={c ? c.xs : none} series={c ? c.spend : none} fmt={fmtUSD} ticks={ticksUSD} />
        <Chart testid="chart-tokens" title="Tokens" xs={c ? c.xs : none} series={c ? c.tokens : none} fmt={fmtCount} />
        <Chart testid="chart-errors" title="Error rate" xs={c ? c.xs : none} series={c ? c.errors : none} fmt={fmtPct} ticks={ticksPct} />
        <Chart testid="chart-latency" title="Latency p50 / p95" xs={c ? c.xs : none} series={c ? c.latency : none} fmt={fmtMs} />
      </div>
    </div>
  );
}
