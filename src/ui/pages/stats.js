// Statistics: detections per hour or day by camera, kind or person, Telegram alerts sent, and
// the analysis load (frames analysed and skipped per camera, inference time), drawn with uPlot
// (served by Argus from node_modules: no CDN). A table under each chart holds the same numbers.
import { api } from '../lib/api.js';
import { $, esc, showError } from '../lib/dom.js';
import { stylesheet } from '../lib/stylesheet.js';

const PALETTE = ['#0b62c4', '#d9480f', '#2b8a3e', '#ae3ec9', '#e67700', '#1098ad', '#c2255c', '#5c940d', '#495057', '#7048e8'];
const SPANS = {
  hour: [
    ['24', 'last 24 hours'],
    ['48', 'last 2 days'],
    ['168', 'last 7 days'],
  ],
  day: [
    ['7', 'last 7 days'],
    ['30', 'last 30 days'],
    ['90', 'last 90 days'],
  ],
};

let uPlotModule;
const loadUPlot = async () => {
  await stylesheet('ui/vendor/uplot/uPlot.min.css');
  uPlotModule ??= (await import('../vendor/uplot/uPlot.esm.js')).default;
  return uPlotModule;
};

/** The page's colours from its CSS variables, so charts follow light and dark. */
const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function axes(yLabel) {
  const stroke = cssVar('--fg');
  const grid = { stroke: cssVar('--line'), width: 1 };
  return [
    { stroke, grid, ticks: grid },
    { stroke, grid, ticks: grid, label: yLabel, size: 50 },
  ];
}

/** Draws (or redraws) a uPlot chart in `box`, as wide as the box; returns it so the page can destroy it. */
function chart(uPlot, box, { times, series, yLabel, bars = false }) {
  box.innerHTML = '';
  const width = Math.max(280, box.clientWidth || 600);
  const paths = bars && uPlot.paths?.bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined;
  const opts = {
    width,
    height: 240,
    scales: { x: { time: true } },
    axes: axes(yLabel),
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.name,
        stroke: s.colour ?? PALETTE[i % PALETTE.length],
        fill: bars ? `${s.colour ?? PALETTE[i % PALETTE.length]}99` : undefined,
        width: 2,
        paths,
        points: { show: times.length < 80 },
      })),
    ],
  };
  return new uPlot(opts, [times, ...series.map((s) => s.values)], box);
}

const fmtBucket = (t, bucket) => {
  const d = new Date(t * 1000);
  return bucket === 'day' ? d.toLocaleDateString() : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
};

function countsTable(h) {
  if (h.series.length === 0) return `<p class="muted" id="history-empty">No detections in this span.</p>`;
  const rows = h.series
    .map((s) => ({ name: s.name, total: s.counts.reduce((a, b) => a + b, 0), peak: Math.max(...s.counts), at: s.counts.indexOf(Math.max(...s.counts)) }))
    .map(
      (r) =>
        `<tr data-series="${esc(r.name)}"><th scope="row">${esc(r.name)}</th><td class="num total">${r.total}</td><td class="num">${r.peak}</td><td>${esc(fmtBucket(h.times[r.at], h.bucket))}</td></tr>`,
    )
    .join('');
  return `<div class="scroll"><table class="data" id="history-table" data-by="${esc(h.by)}" data-bucket="${esc(h.bucket)}"><thead><tr><th>${esc(h.by)}</th><th class="num">detections</th><th class="num">busiest ${esc(h.bucket)}</th><th>when</th></tr></thead>
    <tbody>${rows}</tbody><tfoot><tr><th scope="row">all</th><td class="num" id="history-total">${h.total}</td><td></td><td></td></tr></tfoot></table></div>`;
}

function loadTable(report) {
  const rows = Object.entries(report.cameras)
    .map(
      ([name, c]) => `<tr data-camera="${esc(name)}"><th scope="row">${esc(name)}</th><td class="num">${c.camera_fps.toFixed(1)}</td><td class="num">${c.totals.motion}</td>
      <td class="num">${c.totals.analyzed}</td><td class="num">${c.totals.essential ?? 0}</td><td class="num">${c.totals.skipped}</td><td>${esc(skippedWhy(c.totals.skipped_by_reason))}</td></tr>`,
    )
    .join('');
  const inf = report.inference_ms;
  const ms = (v) => (v === null ? '–' : `${v} ms`);
  return `${overloadNotice(report.cameras)}<div class="scroll"><table class="data" id="load-table"><thead><tr><th>camera</th><th class="num">camera fps</th><th class="num">motion frames</th>
    <th class="num">analysed</th><th class="num" title="analysed while Argus was behind by the weapon and object analyzers only (analyzers.under_load)">of those, weapons only</th><th class="num">skipped</th><th>why skipped</th></tr></thead><tbody>${rows}</tbody></table></div>
    <p>Inference time (all models, last runs): median ${ms(inf.p50)}, 95th percentile ${ms(inf.p95)}. CPU ${report.process.cpu_percent}% of one core, memory ${report.process.rss_mb} MB,
    up ${Math.round(report.uptime_s / 60)} min.</p>`;
}

/** Cameras that lost motion frames for want of time in the last minute (src/stats/overload.ts), and what helps. */
function overloadNotice(cameras) {
  const over = Object.entries(cameras).filter(([, c]) => c.overloaded);
  if (over.length === 0) return '';
  const share = (c, fps) => Math.round((fps / c.motion_fps) * 100);
  const who = over
    .map(([name, c]) => `${esc(name)} (${share(c, c.analyzed_fps - (c.essential_fps ?? 0))} % analysed in full, ${share(c, c.analyzed_fps)} % for weapons and watched objects)`)
    .join(', ');
  return `<p class="warn" id="overload" role="status"><strong>Argus cannot keep up</strong> with ${who}: in the last minute the other motion frames were skipped, or seen only for weapons and watched objects, while the models were busy.
    To analyse more on this machine: switch off the analyzers a camera does not need (faces cost the most, then pose), lower the cameras' <code>detect.fps</code>,
    or watch fewer cameras here. Where weapons matter more than faces, <code>analyzers.under_load: beside</code> lets weapons and watched objects see more of the frames (nearly all of four cameras' on two cores), for fewer in full.
    What each one gained on a two-core machine is in docs/benchmarks.md.</p>`;
}

function skippedWhy(byReason) {
  const parts = Object.entries(byReason)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${why} ${n}`);
  return parts.join(', ') || 'none';
}

async function mount(root, ctx) {
  // awaited below, before the charts measure their boxes (they were drawn wider than a phone's cards)
  const styled = stylesheet('ui/pages/ops.css');
  root.innerHTML = `<div class="ops">
    <form class="ops-toolbar" id="stats-form" aria-label="what to chart">
      <label>Per <select name="bucket"><option value="hour">hour</option><option value="day">day</option></select></label>
      <label>By <select name="by"><option value="camera">camera</option><option value="kind">kind</option><option value="person">person</option></select></label>
      <label>Span <select name="span"></select></label>
      <button type="submit">Show</button>
    </form>
    <section class="panel" aria-labelledby="h-det"><h2 id="h-det">Detections</h2>
      <p class="muted" id="detections-meaning">Each detection is one event: someone or something seen, however many frames it stayed. By kind, <b>pose</b> counts saved poses matched and falls only; a body seen by the pose model is counted once, as a person.</p>
      <div class="chart" id="chart-detections" role="img" aria-label="detections over time"></div><div id="history-summary"></div></section>
    <section class="panel" aria-labelledby="h-not"><h2 id="h-not">Telegram alerts sent</h2><div class="chart" id="chart-notifications" role="img" aria-label="alerts sent over time"></div><p id="notifications-total" class="muted"></p></section>
    <section class="panel" aria-labelledby="h-load"><h2 id="h-load">Analysis load</h2>
      <div class="chart" id="chart-load" role="img" aria-label="frames analysed and skipped per second"></div>
      <div class="chart" id="chart-inference" role="img" aria-label="inference time"></div>
      <div id="load-summary"><p class="muted">Loading…</p></div></section>
  </div>`;
  const form = $('#stats-form', root);
  const spanSelect = form.elements.span;
  const fillSpans = () => {
    spanSelect.innerHTML = SPANS[form.elements.bucket.value].map(([v, t]) => `<option value="${v}">${esc(t)}</option>`).join('');
  };
  fillSpans();
  form.elements.bucket.addEventListener('change', fillSpans);
  const charts = [];
  const destroy = () => {
    for (const c of charts.splice(0)) c.destroy();
  };
  let uPlot;
  try {
    uPlot = await loadUPlot();
  } catch (err) {
    showError($('#chart-detections', root), new Error(`The chart library could not be loaded: ${err.message}`));
    return;
  }

  // Only the latest request draws: an earlier answer arriving late (the first load racing a submit)
  // would otherwise replace the chart of what the form now asks for.
  let historyAsked = 0;
  const drawHistory = async () => {
    const asked = ++historyAsked;
    const bucket = form.elements.bucket.value;
    const span = Number(spanSelect.value) * (bucket === 'day' ? 86_400 : 3600);
    const to = Math.ceil(Date.now() / 1000);
    const q = new URLSearchParams({ bucket, by: form.elements.by.value, from: String(to - span), to: String(to), utc_offset: String(-new Date().getTimezoneOffset()) });
    const box = $('#chart-detections', root);
    box.setAttribute('aria-busy', 'true');
    let h;
    try {
      h = await api(`api/stats/history?${q}`);
    } catch (err) {
      if (asked === historyAsked) showError(box, err);
      return;
    } finally {
      if (asked === historyAsked) box.removeAttribute('aria-busy');
    }
    if (asked !== historyAsked) return;
    destroy();
    const series = h.series.map((s) => ({ name: s.name, values: s.counts }));
    charts.push(chart(uPlot, box, { times: h.times, series: series.length ? series : [{ name: 'none', values: h.times.map(() => 0) }], yLabel: `per ${h.bucket}`, bars: false }));
    $('#history-summary', root).innerHTML = countsTable(h);
    const sent = h.notifications.reduce((a, b) => a + b, 0);
    charts.push(
      chart(uPlot, $('#chart-notifications', root), {
        times: h.times,
        series: [{ name: 'alerts sent', values: h.notifications, colour: '#2b8a3e' }],
        yLabel: `per ${h.bucket}`,
        bars: true,
      }),
    );
    $('#notifications-total', root).textContent = sent ? `${sent} alerts sent in this span.` : 'No alert was sent in this span (Telegram off, or nothing to tell).';
  };

  let loadCharts = [];
  const drawLoad = async () => {
    let samples;
    let report;
    try {
      [{ samples }, report] = await Promise.all([api('api/stats/load'), api('api/stats')]);
    } catch (err) {
      showError($('#load-summary', root), err);
      return;
    }
    for (const c of loadCharts.splice(0)) c.destroy();
    const times = samples.map((s) => s.time / 1000);
    const cameras = [...new Set(samples.flatMap((s) => Object.keys(s.cameras)))];
    const rate = (camera, key) => samples.map((s) => s.cameras[camera]?.[key] ?? null);
    const loadSeries = cameras.flatMap((c) => [
      { name: `${c} analysed/s`, values: rate(c, 'analyzed_fps') },
      { name: `${c} skipped/s`, values: rate(c, 'skipped_fps') },
      { name: `${c} weapons and objects only/s`, values: rate(c, 'essential_fps') },
    ]);
    if (times.length > 0) {
      loadCharts.push(chart(uPlot, $('#chart-load', root), { times, series: loadSeries, yLabel: 'frames/s' }));
      loadCharts.push(
        chart(uPlot, $('#chart-inference', root), {
          times,
          series: [
            { name: 'inference median ms', values: samples.map((s) => s.inference_ms.p50) },
            { name: 'inference p95 ms', values: samples.map((s) => s.inference_ms.p95) },
          ],
          yLabel: 'ms',
        }),
      );
    }
    $('#load-summary', root).innerHTML = loadTable(report);
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    drawHistory();
  });
  await styled;
  await Promise.all([drawHistory(), drawLoad()]);
  ctx.every(30_000, drawLoad);
  // Redraw at the new width when the window changes (a phone turned, a desktop resized).
  let lastWidth = root.clientWidth;
  const onResize = () => {
    if (Math.abs(root.clientWidth - lastWidth) < 40) return;
    lastWidth = root.clientWidth;
    drawHistory();
    drawLoad();
  };
  window.addEventListener('resize', onResize);
  return () => {
    window.removeEventListener('resize', onResize);
    destroy();
    for (const c of loadCharts.splice(0)) c.destroy();
    loadCharts = [];
  };
}

export default { id: 'stats', title: 'Statistics', mount };
