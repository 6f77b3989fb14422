// Events: the newest events with their snapshots, filtered by camera and kind.
import { api } from '../lib/api.js';
import { $, esc, percent, showError, when } from '../lib/dom.js';

async function mount(root, ctx) {
  root.innerHTML = `
    <form id="event-filter" class="row">
      <select name="camera" aria-label="camera"><option value="">all cameras</option></select>
      <select name="kind" aria-label="kind"><option value="">all kinds</option></select>
      <button type="submit">Show</button>
    </form>
    <div id="events" class="grid"></div>`;
  const form = $('#event-filter', root);
  const box = $('#events', root);

  const load = async () => {
    const q = new URLSearchParams([...new FormData(form)].filter(([, v]) => v));
    q.set('limit', '50');
    try {
      const body = await api(`api/events?${q}`);
      const events = Array.isArray(body) ? body : body.events || [];
      box.innerHTML = events.length ? events.map(card).join('') : '<p class="muted">No events yet.</p>';
    } catch (err) {
      showError(box, err);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  // The kinds come from the analyzers Argus runs (GET api/events/kinds), not from this page.
  try {
    const [cameras, { kinds }] = await Promise.all([api('api/cameras'), api('api/events/kinds')]);
    $('select[name=camera]', form).insertAdjacentHTML('beforeend', cameras.map((c) => `<option>${esc(c.name)}</option>`).join(''));
    $('select[name=kind]', form).insertAdjacentHTML('beforeend', kinds.map((k) => `<option>${esc(k)}</option>`).join(''));
  } catch (err) {
    return showError(box, err);
  }
  load();
  ctx.live.on('detection', (message) => message.type === 'start' && load());
}

const card = (e) => `
  <figure class="card" data-event="${esc(e.id)}">
    ${e.snapshot ? `<img src="api/events/${encodeURIComponent(e.id)}/snapshot.jpg" alt="${esc(e.label)}" width="320" loading="lazy">` : ''}
    <figcaption><b>${esc(e.sub_label || e.label)}</b> (${esc(e.kind)}) on ${esc(e.camera)} ·
      ${percent(e.top_score ?? e.score)} · ${when(e.start_time)}</figcaption>
  </figure>`;

export default { id: 'events', title: 'Events', mount };
