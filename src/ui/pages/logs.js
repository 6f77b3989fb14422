// Logs: Argus' recent log lines (secrets already redacted by the logger) with a level filter,
// and the daily event logs (one JSON object a line) to download.
import { api } from '../lib/api.js';
import { $, esc, showError } from '../lib/dom.js';
import { stylesheet } from '../lib/stylesheet.js';

const LEVEL_NAMES = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Keys every line has; the rest (part, camera, analyzer…) say where it came from. */
const BASE_KEYS = new Set(['time', 'level', 'msg', 'pid', 'hostname']);

const kb = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

function lineRow(l) {
  const name = LEVEL_NAMES[l.level] ?? String(l.level);
  const where = Object.entries(l)
    .filter(([k, v]) => !BASE_KEYS.has(k) && (typeof v === 'string' || typeof v === 'number'))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const extra = l.err?.message ? `\n${l.err.message}` : '';
  const at = new Date(l.time);
  const time = at.toDateString() === new Date().toDateString() ? at.toLocaleTimeString() : at.toLocaleString();
  return `<tr class="lvl-${esc(name)}"><td>${esc(time)}</td><td>${esc(name)}</td><td>${esc(where)}</td><td class="msg">${esc((l.msg ?? '') + extra)}</td></tr>`;
}

async function mount(root, ctx) {
  stylesheet('ui/pages/ops.css');
  root.innerHTML = `<div class="ops">
    <section class="panel" aria-labelledby="h-lines">
      <h2 id="h-lines">Recent log lines</h2>
      <form class="ops-toolbar" id="log-filter">
        <label>At least <select name="level">
          <option value="debug">debug</option><option value="info" selected>info</option><option value="warn">warnings</option><option value="error">errors</option></select></label>
        <label><span><input type="checkbox" name="follow" checked> follow (every 5 s)</span></label>
        <button type="submit">Refresh</button>
      </form>
      <p id="log-count" class="muted" role="status"></p>
      <div class="scroll" id="log-box"><table class="data log-lines"><thead><tr><th>time</th><th>level</th><th>where</th><th>message</th></tr></thead><tbody id="log-lines"></tbody></table></div>
    </section>
    <section class="panel" aria-labelledby="h-days">
      <h2 id="h-days">Event logs by day</h2>
      <p class="muted">Every event message of a day, one JSON object a line (<code>&lt;data&gt;/logs/</code>): a record that outlives the database's retention.</p>
      <div id="log-days"><p class="muted">Loading…</p></div>
    </section>
  </div>`;
  const form = $('#log-filter', root);
  const show = async () => {
    const level = form.elements.level.value;
    try {
      const { lines } = await api(`api/logs?level=${encodeURIComponent(level)}&limit=500`);
      $('#log-lines', root).innerHTML = lines.slice().reverse().map(lineRow).join('');
      $('#log-count', root).textContent = lines.length
        ? `${lines.length} lines at ${level} or above, newest first.`
        : `No line at ${level} or above since Argus started (or since the last ${1000} lines).`;
    } catch (err) {
      showError($('#log-count', root), err);
    }
  };
  const days = async () => {
    const box = $('#log-days', root);
    try {
      const { days } = await api('api/logs/events');
      box.innerHTML = days.length
        ? `<table class="data" id="log-day-table"><thead><tr><th>day</th><th class="num">size</th><th></th></tr></thead><tbody>${days
            .map(
              (d) =>
                `<tr data-day="${esc(d.day)}"><td>${esc(d.day)}</td><td class="num">${esc(kb(d.bytes))}</td><td><a href="api/logs/events/${encodeURIComponent(d.file)}" download="argus-events-${esc(d.file)}">Download ${esc(d.file)}</a></td></tr>`,
            )
            .join('')}</tbody></table>`
        : '<p class="muted">No event has been logged yet.</p>';
    } catch (err) {
      showError(box, err);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    show();
  });
  form.elements.level.addEventListener('change', show);
  await Promise.all([show(), days()]);
  ctx.every(5000, () => form.elements.follow.checked && show());
  ctx.every(60_000, days);
}

export default { id: 'logs', title: 'Logs', mount };
