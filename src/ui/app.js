// Argus' small UI. Every URL is relative: the page works at / and behind Home Assistant ingress.

const $ = (sel, el = document) => el.querySelector(sel);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function api(path, init) {
  const res = await fetch(path, init);
  const type = res.headers.get('content-type') || '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new Error(body?.error || `${res.status} ${res.statusText}`);
  return body;
}

// ---- tabs
const TABS = ['live', 'events', 'faces', 'analyze'];
function show(requested) {
  const tab = TABS.includes(requested) ? requested : 'live';
  for (const t of TABS) {
    $(`#tab-${t}`).hidden = t !== tab;
    $(`nav a[data-tab="${t}"]`).toggleAttribute('aria-current', t === tab);
    if (t === tab) $(`nav a[data-tab="${t}"]`).setAttribute('aria-current', 'page');
  }
  if (tab === 'events') loadEvents();
  if (tab === 'faces') loadPeople();
}
window.addEventListener('hashchange', () => show(location.hash.slice(1)));

// ---- live
async function loadCameras() {
  const list = await api('api/cameras');
  const box = $('#cameras');
  if (!list.length) {
    box.innerHTML = '<p class="muted">No cameras configured.</p>';
    return list;
  }
  box.innerHTML = list
    .map(
      (c) => `
    <figure class="card" data-camera="${esc(c.name)}">
      <img src="api/cameras/${encodeURIComponent(c.name)}/stream.mjpeg" alt="live view of ${esc(c.name)}" width="640">
      <figcaption><b>${esc(c.name)}</b> · <span class="status"></span> ·
        <a href="api/cameras/${encodeURIComponent(c.name)}/snapshot.jpg" target="_blank">snapshot</a></figcaption>
    </figure>`,
    )
    .join('');
  const select = $('#event-filter select[name=camera]');
  for (const c of list) select.insertAdjacentHTML('beforeend', `<option>${esc(c.name)}</option>`);
  return list;
}
async function refreshStatus() {
  try {
    const [health, list] = await Promise.all([api('api/health'), api('api/cameras')]);
    $('#health').textContent = `v${health.version} · MQTT ${health.mqtt}`;
    for (const s of list) {
      const el = $(`figure[data-camera="${CSS.escape(s.name)}"] .status`);
      if (el) el.textContent = s.connected ? `${s.fps.toFixed(1)} fps` : `offline: ${s.lastError || 'connecting…'}`;
    }
  } catch (err) {
    $('#health').textContent = `Argus unreachable: ${err.message}`;
  }
}

// ---- events
async function loadEvents() {
  const form = new FormData($('#event-filter'));
  const q = new URLSearchParams([...form].filter(([, v]) => v));
  q.set('limit', '50');
  const box = $('#events');
  try {
    const body = await api(`api/events?${q}`);
    const events = Array.isArray(body) ? body : body.events || body.items || [];
    box.innerHTML = events.length
      ? events
          .map(
            (e) => `
      <figure class="card" data-event="${esc(e.id)}">
        ${e.snapshot ? `<img src="api/events/${encodeURIComponent(e.id)}/snapshot.jpg" alt="${esc(e.label)}" width="320" loading="lazy">` : ''}
        <figcaption><b>${esc(e.sub_label || e.label)}</b> (${esc(e.kind)}) on ${esc(e.camera)} ·
          ${Math.round((e.top_score ?? e.score) * 100)}% · ${new Date(e.start_time * 1000).toLocaleString()}</figcaption>
      </figure>`,
          )
          .join('')
      : '<p class="muted">No events yet.</p>';
  } catch (err) {
    box.innerHTML = `<p class="error">${esc(err.message)}</p>`;
  }
}
$('#event-filter').addEventListener('submit', (e) => {
  e.preventDefault();
  loadEvents();
});

// The kinds come from the analyzers Argus runs (GET api/events/kinds), not from this page.
async function loadKinds() {
  const { kinds } = await api('api/events/kinds');
  const select = $('#event-filter select[name="kind"]');
  select.insertAdjacentHTML('beforeend', kinds.map((k) => `<option>${esc(k)}</option>`).join(''));
}

// ---- faces
async function loadPeople() {
  const box = $('#people');
  try {
    const body = await api('api/faces');
    const people = Array.isArray(body) ? body : body.people || [];
    box.innerHTML = people.length
      ? people
          .map(
            (p) => `
      <div class="card person" data-person="${esc(p.name)}">
        ${p.thumbnail ? `<img src="api/${esc(p.thumbnail.replace(/^\/?(api\/)?/, ''))}" alt="">` : ''}
        <span><b>${esc(p.name)}</b><br><span class="muted">${p.samples ?? p.sample_count ?? '?'} photos</span></span>
        <button data-delete="${esc(p.name)}">Delete</button>
      </div>`,
          )
          .join('')
      : '<p class="muted">Nobody enrolled yet: add a photo above.</p>';
  } catch (err) {
    box.innerHTML = `<p class="error">${esc(err.message)}</p>`;
  }
}
$('#people').addEventListener('click', async (e) => {
  const name = e.target.dataset?.delete;
  if (!name || !confirm(`Delete ${name} and all their photos?`)) return;
  try {
    await api(`api/faces/${encodeURIComponent(name)}`, { method: 'DELETE' });
  } catch (err) {
    alert(err.message);
  }
  loadPeople();
});
$('#enrol').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const name = form.get('name');
  const upload = new FormData();
  upload.append('file', form.get('file'));
  const out = $('#enrol-result');
  out.className = '';
  out.textContent = 'Adding…';
  try {
    await api(`api/faces/${encodeURIComponent(name)}`, { method: 'POST', body: upload });
    out.textContent = `Added a photo of ${name}.`;
    e.target.reset();
  } catch (err) {
    out.className = 'error';
    out.textContent = err.message;
  }
  loadPeople();
});

// ---- analyze (drag and drop)
async function analyze(file) {
  const error = $('#analyze-error');
  const result = $('#analyze-result');
  error.hidden = true;
  result.hidden = true;
  if (!file.type.startsWith('image/')) return fail(`${file.name} is not an image.`);
  // The size limit is the server's (server.max_upload_mb): its 413 names it.
  const upload = new FormData();
  upload.append('file', file);
  let body;
  try {
    body = await api('api/analyze', { method: 'POST', body: upload });
  } catch (err) {
    return fail(err.message);
  }
  const bitmap = await createImageBitmap(file);
  const canvas = $('#analyze-canvas');
  canvas.width = body.width;
  canvas.height = body.height;
  const g = canvas.getContext('2d');
  g.drawImage(bitmap, 0, 0, body.width, body.height);
  g.lineWidth = Math.max(2, body.width / 400);
  g.font = `${Math.max(14, body.width / 60)}px system-ui`;
  const items = [];
  const draw = (box, colour, text) => {
    g.strokeStyle = colour;
    g.strokeRect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
    g.fillStyle = colour;
    g.fillText(text, box[0] + 4, Math.max(16, box[1] - 6));
  };
  for (const o of body.objects) {
    const text = `${o.label} ${Math.round(o.score * 100)}%`;
    draw(o.box, '#4f4', text);
    items.push(text);
  }
  for (const f of body.faces) {
    const who = f.name ? `${f.name} (${Math.round(f.similarity * 100)}% similar)` : 'unknown face';
    draw(f.box, '#fc4', `${who} ${Math.round(f.score * 100)}%`);
    items.push(`face: ${who}, ${Math.round(f.score * 100)}% confidence`);
  }
  for (const p of body.poses) items.push(`pose: ${Math.round(p.score * 100)}% confidence`);
  $('#analyze-list').innerHTML = items.length ? items.map((t) => `<li>${esc(t)}</li>`).join('') : '<li>Nothing found.</li>';
  result.hidden = false;
  function fail(message) {
    error.textContent = message;
    error.hidden = false;
  }
}
const drop = $('#drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer.files[0];
  if (file) analyze(file);
});
$('#pick').addEventListener('change', (e) => {
  if (e.target.files[0]) analyze(e.target.files[0]);
});

// ---- live updates: new events refresh the Events tab while it is open
function listen() {
  const live = new EventSource('api/live');
  live.addEventListener('detection', (e) => {
    const message = JSON.parse(e.data);
    if (message.type === 'start' && !$('#tab-events').hidden) loadEvents();
  });
  // the registry changed (here, from Telegram or the CLI): refresh the People tab while it is open
  live.addEventListener('faces', () => {
    if (!$('#tab-faces').hidden) loadPeople();
  });
}

// ---- start
loadCameras().catch((err) => ($('#cameras').innerHTML = `<p class="error">${esc(err.message)}</p>`));
loadKinds().catch((err) => ($('#events').innerHTML = `<p class="error">${esc(err.message)}</p>`));
refreshStatus();
setInterval(refreshStatus, 3000);
show(location.hash.slice(1));
listen();
