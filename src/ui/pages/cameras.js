// Cameras: each camera live with its status in words, pause/resume detection (the same state as
// Home Assistant's "Pause detection" switch), its analyzers switched on or off, a snapshot; and a
// connection test for a camera URL before it goes into the configuration.
import { api, send } from '../lib/api.js';
import { $, $$, esc, showError } from '../lib/dom.js';
import { showLive } from '../lib/live-view.js';
import { stylesheet } from '../lib/stylesheet.js';

const path = (name, rest = '') => `api/cameras/${encodeURIComponent(name)}${rest}`;

/** A camera's state as a sentence; `load`: its entry in `GET /api/stats`, when read. */
function statusWords(s, paused, load) {
  if (!s.connected) return `not connected: ${s.lastError || 'connecting…'}${s.reconnects ? ` (${s.reconnects} reconnects)` : ''}`;
  const size = s.width ? `, ${s.width}×${s.height}` : '';
  // The household looks here first when detections come late: say that the machine is short, and where the advice is.
  const behind =
    !paused && load?.overloaded
      ? ` — only ${Math.round(((load.analyzed_fps - (load.essential_fps ?? 0)) / load.motion_fps) * 100)} % of motion frames analysed in full: this machine cannot keep up (Statistics says what helps)`
      : '';
  return `${paused ? 'watching, detection paused' : 'watching and detecting'}: ${s.fps.toFixed(1)} fps${size}${behind}`;
}

function cameraCard(s) {
  // turned off in the config: nothing to watch, pause or switch; said, and how to turn it on
  if (!s.enabled)
    return `<article class="cam off" data-camera="${esc(s.name)}" aria-labelledby="cam-${esc(s.name)}">
    <h2 id="cam-${esc(s.name)}">${esc(s.name)}</h2>
    <p class="status muted" role="status">Turned off in the config (<code>cameras.${esc(s.name)}.enabled: false</code>): Argus does not connect to it; Home Assistant keeps its device, unavailable.</p>
  </article>`;
  return `<article class="cam" data-camera="${esc(s.name)}" aria-labelledby="cam-${esc(s.name)}">
    <img class="live" data-camera="${esc(s.name)}" alt="live view of ${esc(s.name)}">
    <h2 id="cam-${esc(s.name)}">${esc(s.name)}</h2>
    <p class="status" role="status"></p>
    <div class="row">
      <button type="button" class="pause" aria-pressed="false">Pause detection</button>
      <button type="button" class="snap">Snapshot</button>
    </div>
    <fieldset class="switches"><legend class="muted">Analyzers</legend><span class="muted">Loading…</span></fieldset>
    <p class="cam-error error" role="alert" hidden></p>
    <div class="snapshot"></div>
  </article>`;
}

function renderDetection(card, d) {
  card.classList.toggle('paused', d.paused);
  card.dataset.paused = String(d.paused);
  const pause = $('.pause', card);
  pause.textContent = d.paused ? 'Resume detection' : 'Pause detection';
  pause.setAttribute('aria-pressed', String(d.paused));
  // Redrawn every few seconds (HA may flip a switch): the box in focus keeps it.
  const focused = card.querySelector('.switches input:focus')?.name;
  $('.switches', card).innerHTML = `<legend class="muted">Analyzers</legend>${d.analyzers
    .map(
      (a) => `<label class="${a.configured ? '' : 'off'}">
        <input type="checkbox" name="${esc(a.name)}" ${a.on ? 'checked' : ''} ${a.configured ? '' : 'disabled'}> ${esc(a.name)}${a.configured ? '' : ` (${esc(a.off_reason ?? 'off in the config')})`}${
          a.on && a.in_schedule === false ? ` <span class="muted">(asleep: outside its schedule, ${esc(a.schedule.join(', '))})</span>` : ''
        }</label>`,
    )
    .join('')}`;
  if (focused) card.querySelector(`.switches input[name="${CSS.escape(focused)}"]`)?.focus();
}

async function mount(root, ctx) {
  stylesheet('ui/pages/ops.css');
  root.innerHTML = `<div class="ops">
    <div id="camera-list" class="cam-grid"><p class="muted">Loading cameras…</p></div>
    <section class="panel" aria-labelledby="h-test" style="margin-top:1rem">
      <h2 id="h-test">Test a camera URL</h2>
      <p class="muted">Argus connects once and decodes one frame, as <code>argus test-camera</code> does. The password in the URL is not kept, logged or shown.</p>
      <form id="camera-test" class="ops-form">
        <label class="grow">URL <input name="url" type="text" inputmode="url" autocomplete="off" spellcheck="false" required placeholder="rtsp://user:password@192.168.1.20:554/stream1"></label>
        <label>RTSP over <select name="transport"><option value="">default</option><option value="tcp">TCP</option><option value="udp">UDP</option></select></label>
        <label>Wait up to <select name="timeout_s"><option value="5">5 s</option><option value="10" selected>10 s</option><option value="20">20 s</option><option value="30">30 s</option></select></label>
        <button type="submit" class="primary">Test</button>
      </form>
      <p id="camera-test-result" role="status"></p>
    </section>
  </div>`;
  const list = $('#camera-list', root);
  let statuses;
  try {
    statuses = await api('api/cameras');
  } catch (err) {
    return showError(list, err);
  }
  list.innerHTML = statuses.length ? statuses.map(cameraCard).join('') : '<p class="muted">No cameras configured.</p>';
  const stopLive = showLive($$('img.live', list));
  // a camera turned off in the config has no switches to read
  statuses = statuses.filter((s) => s.enabled);
  const detection = new Map();
  const cardOf = (name) => $$('article.cam', root).find((c) => c.dataset.camera === name);
  const fail = (card, err) => {
    const box = $('.cam-error', card);
    box.textContent = err.message;
    box.hidden = false;
  };

  const refreshDetection = async (name) => {
    const card = cardOf(name);
    try {
      const d = await api(path(name, '/detection'));
      // Unchanged: leave the switches alone, so keyboard focus stays where it is.
      if (JSON.stringify(d) === JSON.stringify(detection.get(name))) return;
      detection.set(name, d);
      renderDetection(card, d);
    } catch (err) {
      fail(card, err);
    }
  };
  const refreshStatus = async () => {
    const [now, stats] = await Promise.all([api('api/cameras').catch(() => null), api('api/stats').catch(() => null)]);
    for (const s of (now ?? []).filter((c) => c.enabled)) {
      const card = cardOf(s.name);
      if (!card) continue;
      card.classList.toggle('offline', !s.connected);
      $('.status', card).textContent = statusWords(s, detection.get(s.name)?.paused, stats?.cameras[s.name]);
    }
  };
  await Promise.all(statuses.map((s) => refreshDetection(s.name)));
  refreshStatus();
  ctx.every(3000, refreshStatus);
  // HA may flip the switch too: its state comes back here within a few seconds.
  ctx.every(5000, () => Promise.all(statuses.map((s) => refreshDetection(s.name))));

  // Busy, not disabled: a disabled control drops the keyboard's focus, and Space could not toggle it back.
  const change = async (card, body) => {
    if (card.getAttribute('aria-busy') === 'true') return;
    $('.cam-error', card).hidden = true;
    card.setAttribute('aria-busy', 'true');
    try {
      const d = await send('PUT', path(card.dataset.camera, '/detection'), body);
      detection.set(card.dataset.camera, d);
      renderDetection(card, d);
      refreshStatus();
    } catch (err) {
      fail(card, err);
      await refreshDetection(card.dataset.camera);
    } finally {
      card.removeAttribute('aria-busy');
    }
  };
  list.addEventListener('click', async (e) => {
    const card = e.target.closest('article.cam');
    if (!card) return;
    if (e.target.matches('button.pause')) change(card, { paused: card.dataset.paused !== 'true' });
    if (e.target.matches('button.snap')) {
      const box = $('.snapshot', card);
      box.innerHTML = '<p class="muted">Taking a snapshot…</p>';
      try {
        const res = await fetch(path(card.dataset.camera, `/snapshot.jpg?t=${Date.now()}`));
        if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || `${res.status} ${res.statusText}`);
        const url = URL.createObjectURL(await res.blob());
        box.innerHTML = `<img class="still" src="${url}" alt="snapshot of ${esc(card.dataset.camera)}">
          <p><a href="${url}" download="${esc(card.dataset.camera)}-${Date.now()}.jpg">Download</a> · taken ${esc(new Date().toLocaleTimeString())}</p>`;
      } catch (err) {
        showError(box, err);
      }
    }
  });
  list.addEventListener('change', (e) => {
    if (!e.target.matches('.switches input')) return;
    const card = e.target.closest('article.cam');
    change(card, { analyzers: { [e.target.name]: e.target.checked } });
  });

  const testForm = $('#camera-test', root);
  testForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = $('#camera-test-result', root);
    const f = testForm.elements;
    const body = { url: f.url.value.trim(), timeout_s: Number(f.timeout_s.value) };
    if (f.transport.value) body.transport = f.transport.value;
    out.className = 'muted';
    out.textContent = `Connecting (up to ${body.timeout_s} s)…`;
    testForm.querySelector('button').disabled = true;
    try {
      const r = await send('POST', 'api/cameras/test', body);
      out.className = r.ok ? 'ok' : 'error';
      out.textContent = r.ok ? `${r.url} works: ${r.width}×${r.height}, ${r.codec}, ${r.fps ? `${r.fps} fps` : 'frame rate unknown'}.` : `${r.url} does not work: ${r.reason}`;
    } catch (err) {
      out.className = 'error';
      out.textContent = err.message;
    } finally {
      testForm.querySelector('button').disabled = false;
    }
  });

  return () => stopLive();
}

export default { id: 'cameras', title: 'Cameras', mount };
