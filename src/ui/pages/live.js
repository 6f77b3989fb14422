// Live: every camera live (lib/live-view.js: MJPEG, or polled frames past three cameras) with its status in words, and what it sees now: the people,
// names, weapons and poses of its open events seen in the last few seconds (GET api/now).
import { api } from '../lib/api.js';
import { $, esc, plural, showError } from '../lib/dom.js';
import { showLive } from '../lib/live-view.js';
import { eventTitle, throttle } from './review-lib.js';

/** Kinds whose events call for attention on sight. */
const ALARMING = new Set(['weapon', 'suspicious']);

/** What a thing in view is called on its chip: a seat's cue, a name, a label. */
const chipTitle = (e) => (e.kind === 'suspicious' ? `${e.sub_label}: ${e.label.replace(/_/g, ' ')}` : eventTitle(e));

/** One camera's "now" line: people counted, everyone and everything else named, each a link to its event(s). */
export function nowLine(camera, events) {
  // a pose event labelled `person` is the body of someone already counted; saved poses and falls are named
  const shown = events.filter((e) => !(e.kind === 'pose' && e.label === 'person'));
  if (!shown.length) return '<span class="muted">nothing in view</span>';
  const groups = new Map();
  for (const e of shown) {
    const title = e.kind === 'person' ? 'person' : chipTitle(e);
    const key = `${e.kind}\n${title}`;
    if (!groups.has(key)) groups.set(key, { title, events: [] });
    groups.get(key).events.push(e);
  }
  const rank = ({ events: [e] }) => (e.kind === 'person' ? 0 : ALARMING.has(e.kind) || e.label === 'fall' ? 1 : 2);
  return [...groups.values()]
    .sort((a, b) => rank(a) - rank(b))
    .map(({ title, events: group }) => {
      const [e] = group;
      const n = group.length;
      const alarm = ALARMING.has(e.kind) || (e.kind === 'pose' && e.label === 'fall');
      // one event links to itself; several (and people) to the camera's events of the kind
      const href = n === 1 && e.kind !== 'person' ? `#events/${encodeURIComponent(e.id)}` : `#events?camera=${encodeURIComponent(camera)}&kind=${encodeURIComponent(e.kind)}`;
      const text = e.kind === 'person' ? plural(n, 'person', 'people') : n > 1 ? `${title} ×${n}` : title;
      return `<a class="chip${alarm ? ' alarm' : ''}" href="${esc(href)}">${alarm ? '⚠ ' : ''}${esc(text)}</a>`;
    })
    .join(' ');
}

async function mount(root, ctx) {
  root.innerHTML = '<div id="cameras" class="grid"><p class="muted">Loading cameras…</p></div>';
  const box = $('#cameras', root);
  let list;
  try {
    list = await api('api/cameras');
  } catch (err) {
    return showError(box, err);
  }
  const off = list.filter((c) => !c.enabled);
  list = list.filter((c) => c.enabled);
  const offLine = off.length ? `<p class="muted">Turned off in the config: ${off.map((c) => esc(c.name)).join(', ')}.</p>` : '';
  if (!list.length) {
    box.innerHTML = `<p class="muted">No cameras configured.</p>${offLine}`;
    return;
  }
  box.innerHTML = `${list
    .map(
      (c) => `
    <figure class="card" data-camera="${esc(c.name)}">
      <img data-camera="${esc(c.name)}" alt="live view of ${esc(c.name)}" width="640">
      <figcaption><b>${esc(c.name)}</b> · <span class="status"></span><span class="snap"> ·
        <a href="api/cameras/${encodeURIComponent(c.name)}/snapshot.jpg" target="_blank">snapshot</a></span>
        <p class="now" aria-live="polite" aria-label="seen now on ${esc(c.name)}"></p></figcaption>
    </figure>`,
    )
    .join('')}${offLine}`;
  const stopLive = showLive([...root.querySelectorAll('figure[data-camera] img')]);
  const refresh = async () => {
    const statuses = await api('api/cameras').catch(() => []);
    for (const s of statuses) {
      const figure = $(`figure[data-camera="${CSS.escape(s.name)}"]`, root);
      if (!figure) continue;
      // the stream's last frame stays up when a camera goes: greyed, so it is not taken for now
      figure.classList.toggle('offline', !s.connected);
      $('.status', figure).textContent = s.connected ? `${s.fps.toFixed(1)} fps` : `offline: ${s.lastError || 'connecting…'}`;
    }
  };
  refresh();
  ctx.every(3000, refresh);
  const seen = async () => {
    const now = await api('api/now').catch(() => null);
    if (!now) return;
    for (const [name, events] of Object.entries(now.cameras)) {
      const el = $(`figure[data-camera="${CSS.escape(name)}"] .now`, root);
      if (el) el.innerHTML = `Now: ${nowLine(name, events)}`;
    }
  };
  seen();
  ctx.every(2000, seen);
  // an event's start or end shows at once, not at the next poll
  const soon = throttle(seen, 300);
  ctx.live.on('detection', () => soon());
  // The streams stop when the page is left: an <img> keeps its MJPEG connection open otherwise.
  return () => {
    soon.cancel();
    stopLive();
  };
}

export default { id: 'live', title: 'Live', mount };
