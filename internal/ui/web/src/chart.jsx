// A uPlot line chart as a Preact component: time on x, one line per
// series, y values formatted by the caller (USD, ms, tokens). The plot is
// rebuilt when the series change and resized with its container.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

// Colors that stay distinct on light and dark backgrounds.
export const palette = ['#2f7ed8', '#e8743b', '#19a979', '#945ecf', '#ed4a7b', '#13a4b4', '#bf9a00', '#6c8893', '#d15b5b', '#5899da'];

const dark = () => window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;

// isolated reports whether a series has a value with no neighbour, which a
// line alone would not draw (one busy bucket among empty ones).
function isolated(values) {
  for (let i = 0; i < values.length; i++) {
    if (values[i] != null && (i === 0 || values[i - 1] == null) && (i === values.length - 1 || values[i + 1] == null)) return true;
  }
  return false;
}

// Chart props: testid, title, xs (unix seconds), series [{label, values,
// color?, dash?}], fmt (y value -> string, for the legend), ticks (the
// y-axis splits -> strings, so every tick has the same precision; default
// fmt per value), height.
export function Chart({ testid, title, xs, series, fmt, ticks, height = 220, empty }) {
  const box = useRef(null);
  const plot = useRef(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const fg = dark() ? '#c9d1d9' : '#3b4451';
    const grid = dark() ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.07)';
    const axis = (values) => ({ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values });
    const yAxis = axis((u, splits) => (ticks ? ticks(splits) : splits.map((v) => (v == null ? '' : fmt(v)))));
    yAxis.size = (u, values) => {
      if (!values) return 50;
      const longest = values.reduce((m, s) => Math.max(m, String(s).length), 0);
      return Math.max(44, longest * 8 + 20);
    };
    const opts = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      legend: { show: true, live: true },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [axis(undefined), yAxis],
      series: [
        { label: 'time', value: (u, v) => (v == null ? '' : new Date(v * 1000).toLocaleString()) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color || palette[i % palette.length],
          width: 1.5,
          dash: s.dash,
          spanGaps: false,
          points: { show: isolated(s.values), size: 5, fill: s.color || palette[i % palette.length] },
          value: (u, v) => (v == null ? '–' : fmt(v)),
        })),
      ],
    };
    const data = [xs, ...series.map((s) => s.values)];
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => {
      if (plot.current && el.clientWidth > 0) plot.current.setSize({ width: el.clientWidth, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current.destroy();
      plot.current = null;
    };
  }, [xs, series, fmt, ticks, height]);

  return (
    <section class="card chart">
      <h3>{title}</h3>
      {empty ? <p class="muted small">{empty}</p> : null}
      <div class="plot" data-testid={testid} ref={box} />
    </section>
  );
}
