// Small pieces every page uses: loading an API with error state, inline
// errors, tiles, bars and a confirm dialog.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

// useLoad calls load(signal) whenever deps change (and on reload()),
// keeping the last good data while a new call runs; an error is shown
// inline by the page. every > 0 repeats the call every that many ms.
export function useLoad(load, deps, every = 0) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    const ctl = new AbortController();
    let timer = 0;
    // The next call is scheduled when this one ends, so a slow answer is
    // never cut off by the next tick.
    const next = () => {
      if (every > 0 && !ctl.signal.aborted) timer = setTimeout(reload, every);
    };
    setBusy(true);
    load(ctl.signal).then(
      (d) => {
        if (ctl.signal.aborted) return;
        setData(d);
        setError(null);
        setBusy(false);
        next();
      },
      (e) => {
        if (ctl.signal.aborted || e.name === 'AbortError') return;
        setError(e);
        setBusy(false);
        next();
      },
    );
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [...deps, tick, every]);
  return { data, error, busy, reload };
}

// useDebounced returns value once it stopped changing for ms.
export function useDebounced(value, ms = 300) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function ErrorBox({ error, testid }) {
  if (!error) return null;
  const msg = error.message || String(error);
  return (
    <div class="error-box" role="alert" data-testid={testid}>
      {error.status ? <strong>{error.status} </strong> : null}
      {msg}
    </div>
  );
}

export function PageHead({ title, children }) {
  return (
    <header class="page-head">
      <h1>{title}</h1>
      <div class="controls">{children}</div>
    </header>
  );
}

// Stat is a tile; the element with testid holds only the value text.
export function Stat({ label, testid, value, unit, hint }) {
  return (
    <div class="card stat">
      <div class="stat-label">{label}</div>
      <div class="stat-value">
        <span data-testid={testid}>{value}</span>
        {unit ? <span class="unit">{unit}</span> : null}
      </div>
      {hint ? <div class="muted small">{hint}</div> : null}
    </div>
  );
}

// level maps a used fraction to a bar color: green, amber from 80%, red
// at or over 100%.
export const level = (f) => (f >= 1 ? 'red' : f >= 0.8 ? 'amber' : 'green');

// Bar is a used/limit meter; text is shown beside it.
export function Bar({ fraction, text, testid, title }) {
  const f = Number.isFinite(fraction) ? Math.max(0, fraction) : 0;
  return (
    <div class="bar-wrap" data-testid={testid} title={title}>
      <div class="bar" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow={Math.round(f * 100)}>
        <div class={'fill ' + level(f)} style={{ width: Math.min(100, f * 100) + '%' }} />
      </div>
      <span class="bar-text">{text}</span>
    </div>
  );
}

// Confirm is a modal yes/no question (confirm-yes, confirm-no).
export function Confirm({ text, yes = 'Yes', onYes, onNo, busy }) {
  const ref = useRef(null);
  useEffect(() => {
    ref.current && ref.current.focus();
    const key = (e) => e.key === 'Escape' && onNo();
    addEventListener('keydown', key);
    return () => removeEventListener('keydown', key);
  }, []);
  return (
    <div class="modal-back" onClick={(e) => e.target === e.currentTarget && onNo()}>
      <div class="card modal" role="dialog" aria-modal="true" data-testid="confirm">
        <p>{text}</p>
        <div class="row end">
          <button data-testid="confirm-no" onClick={onNo}>
            Cancel
          </button>
          <button data-testid="confirm-yes" class="danger" ref={ref} onClick={onYes} disabled={busy}>
            {yes}
          </button>
        </div>
      </div>
    </div>
  );
}

export function Select({ testid, value, onChange, options, label, aria }) {
  return (
    <label class="field">
      {label ? <span>{label}</span> : null}
      <select data-testid={testid} aria-label={label ? undefined : aria} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
