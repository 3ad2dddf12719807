// Number and time formatting, in one place so every page shows the same
// quantity the same way. Stat tiles use the plain forms (no thousands
// separators) because their text is compared with the ledger.

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

// int: an integer with no separators ("12345").
export const int = (v) => String(Math.round(num(v)));

// count: an integer with thousands separators for tables ("12,345").
export const count = (v) => Math.round(num(v)).toLocaleString('en-US');

// usd: dollars with 6 decimals ("$0.001234"), the ledger's precision.
export const usd = (v) => '$' + num(v).toFixed(6);

// usdShort: dollars for axes and bars: fewer decimals as amounts grow.
export function usdShort(v) {
  v = num(v);
  const a = Math.abs(v);
  if (a === 0) return '$0';
  if (a >= 1000) return '$' + Math.round(v).toLocaleString('en-US');
  if (a >= 1) return '$' + v.toFixed(2);
  if (a >= 0.01) return '$' + v.toFixed(3);
  return '$' + v.toPrecision(2);
}

// ms: milliseconds with one decimal ("123.4").
export const ms = (v) => num(v).toFixed(1);

// msUnit: "123.4 ms", or "1.23 s" from a second up.
export function msUnit(v) {
  v = num(v);
  return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(1) + ' ms';
}

// pct: a fraction as a percent with one decimal ("2.5%").
export const pct = (fraction) => (num(fraction) * 100).toFixed(1) + '%';

// si: a short count for axes ("1.2k", "3.4M").
export function si(v) {
  v = num(v);
  const a = Math.abs(v);
  if (a >= 1e9) return +(v / 1e9).toFixed(1) + 'G';
  if (a >= 1e6) return +(v / 1e6).toFixed(1) + 'M';
  if (a >= 1e3) return +(v / 1e3).toFixed(1) + 'k';
  return String(+v.toFixed(2));
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

// time: a local wall-clock time with milliseconds for the request log.
export function time(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso || '');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

// dateTime: "2026-11-23 14:05:09" in local time.
export function dateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso || '');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// plural: a count with its noun, singular for exactly one ("1 error",
// "0 errors", "2 errors"); the count is an integer without separators.
export const plural = (n, one, many = one + 's') => {
  const v = Math.round(num(n));
  return `${v} ${v === 1 ? one : many}`;
};

// tokens: "in / out" counts for tables.
export const tokens = (i, o) => `${count(i)} / ${count(o)}`;
