// Events: what happened, grouped (a person's visit with their faces and poses together), with
// filters in the address (#events?camera=door&name=alice), older events as you scroll, and live
// updates. #events/<id> is one event: its snapshot, crop, scores, updates over time and delete.
import { api, send } from '../lib/api.js';
import { $, esc, percent, plural, showError, when } from '../lib/dom.js';
import { renderKeyed } from '../lib/keyed-list.js';
import { stylesheet } from '../lib/stylesheet.js';
import { throttle, duration, eventImage, eventTitle, showNameResult } from './review-lib.js';

const FILTERS = ['camera', 'kind', 'label', 'name', 'zone', 'from', 'to'];
const PAGE = 20;

async function mount(root, ctx) {
  stylesheet('ui/pages/events.css');
  return ctx.path[0] ? mountEvent(root, ctx, ctx.path[0]) : mountList(root, ctx);
}

/** datetime-local (the browser's time zone) → ISO for the API. */
const isoOf = (local) => (local ? new Date(local).toISOString() : '');

function listQuery(query) {
  const q = new URLSearchParams();
  for (const key of ['camera', 'kind', 'label', 'name', 'zone']) if (query.get(key)) q.set(key, query.get(key));
  if (query.get('from')) q.set('after', isoOf(query.get('from')));
  if (query.get('to')) q.set('before', isoOf(query.get('to')));
  // `per` sets the page size (1-100), for a short list on a slow link, or to try the paging.
  const per = Math.round(Number(query.get('per')));
  q.set('limit', String(per >= 1 && per <= 100 ? per : PAGE));
  return q;
}

async function mountList(root, ctx) {
  root.innerHTML = `
    <details id="event-filters"><summary>Filters</summary>
    <form id="event-filter" class="filters" aria-label="Filter events">
      <label>Camera <select name="camera"><option value="">all cameras</option></select></label>
      <label>Kind <select name="kind"><option value="">all kinds</option></select></label>
      <label>Label <input name="label" list="event-labels" placeholder="any" size="10"></label>
      <label>Person <select name="name"><option value="">anyone</option></select></label>
      <label>Zone <input name="zone" list="event-zones" placeholder="any" size="10"></label>
      <label>From <input type="datetime-local" name="from"></label>
      <label>To <input type="datetime-local" name="to"></label>
      <button type="submit">Show</button>
      <a href="#events" class="clear">Clear filters</a>
      <datalist id="event-labels"></datalist><datalist id="event-zones"></datalist>
    </form></details>
    <button id="event-new" class="banner" hidden>New events: show them</button>
    <p id="event-status" class="muted" role="status">Loading events…</p>
    <div id="events" class="event-groups"></div>
    <button id="event-more" hidden>Show older events</button>`;
  const form = $('#event-filter', root);
  const box = $('#events', root);
  const status = $('#event-status', root);
  const more = $('#event-more', root);
  const fresh = $('#event-new', root);

  try {
    const [cameras, { kinds }, { people }] = await Promise.all([api('api/cameras'), api('api/events/kinds'), api('api/faces')]);
    const options = (list) => list.map((v) => `<option>${esc(v)}</option>`).join('');
    $('select[name=camera]', form).insertAdjacentHTML('beforeend', options(cameras.map((c) => c.name)));
    $('select[name=kind]', form).insertAdjacentHTML('beforeend', options(kinds));
    $('select[name=name]', form).insertAdjacentHTML('beforeend', options(people.map((p) => p.name)));
  } catch (err) {
    return showError(box, err);
  }
  for (const key of FILTERS) {
    const value = ctx.query.get(key);
    const field = form.elements[key];
    if (!value || !field) continue;
    // A filter the lists no longer hold (a person removed or renamed since the link was made) is
    // shown as it filters, not as "anyone".
    if (field.tagName === 'SELECT' && ![...field.options].some((o) => o.value === value)) field.insertAdjacentHTML('beforeend', `<option>${esc(value)}</option>`);
    field.value = value;
  }
  // Open on a wide screen or when filtering; folded on a phone, where it would fill the screen.
  $('#event-filters', root).open = matchMedia('(min-width: 601px)').matches || FILTERS.some((k) => ctx.query.get(k));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams([...new FormData(form)].filter(([, v]) => v));
    const hash = `#events${q.size ? `?${q}` : ''}`;
    if (location.hash === hash) load();
    else location.hash = hash;
  });

  const shown = new Map(); // group id → its card's data
  const labels = new Set();
  const zones = new Set();
  let next = null;
  let pages = 0;
  let busy = false;

  const render = () => {
    const groups = [...shown.values()].sort((a, b) => b.start_time - a.start_time);
    renderKeyed(
      box,
      groups.map((g) => ({ key: g.id, html: card(g) })),
    );
    const filtered = FILTERS.some((k) => ctx.query.get(k));
    say(
      groups.length
        ? `${plural(groups.length, 'thing')} that happened${filtered ? ', filtered' : ''}${next ? '; scroll for older ones' : ''}.`
        : filtered
          ? 'No events match these filters.'
          : 'No events yet: they appear here as the cameras see people and things.',
    );
    $('#event-labels', form).innerHTML = [...labels].map((l) => `<option value="${esc(l)}">`).join('');
    $('#event-zones', form).innerHTML = [...zones].map((z) => `<option value="${esc(z)}">`).join('');
    more.hidden = !next;
  };

  const fetchPage = async (before) => {
    const q = listQuery(ctx.query);
    if (before) {
      q.set('before', String(before.before));
      q.set('before_id', before.before_id);
    }
    const page = await api(`api/events/groups?${q}`);
    for (const g of page.groups) {
      shown.set(g.id, g);
      for (const e of g.events) {
        labels.add(e.label);
        for (const z of e.zones) zones.add(z);
      }
    }
    next = page.next;
  };

  // A status line is read aloud at each change: said only when it says something new.
  const say = (text) => {
    if (status.textContent !== text) status.textContent = text;
  };

  /** `live`: a camera's news; the list is refreshed in place, without "Loading…" every second or two. */
  const load = async (live = false) => {
    if (busy) return;
    busy = true;
    if (!live) say('Loading events…');
    try {
      shown.clear();
      await fetchPage(null);
      pages = 1;
      fresh.hidden = true;
      render();
    } catch (err) {
      showError(box, err);
      status.textContent = '';
    } finally {
      busy = false;
    }
  };

  const loadMore = async () => {
    if (busy || !next) return;
    busy = true;
    more.disabled = true;
    more.textContent = 'Loading older events…';
    try {
      await fetchPage(next);
      pages++;
      render();
      // Still in view (a short page, or groups already shown): look again, so loading goes on.
      observer.unobserve(more);
      observer.observe(more);
    } catch (err) {
      status.innerHTML = `<span class="error" role="alert">${esc(err.message)}</span>`;
    } finally {
      busy = false;
      more.disabled = false;
      more.textContent = 'Show older events';
    }
  };

  more.addEventListener('click', loadMore);
  fresh.addEventListener('click', () => load());
  // Infinite scroll: the button comes into view, the next page loads (the button stays for keyboards).
  const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), { rootMargin: '400px' });
  observer.observe(more);

  // Live: a new or changed event refreshes the first page; further down, a banner offers it.
  const refresh = throttle(() => {
    if (pages <= 1) load(true);
    else fresh.hidden = false;
  }, 1500);
  ctx.live.on('detection', refresh);
  await load();
  return () => {
    observer.disconnect();
    refresh.cancel();
  };
}

/** "(face, person)" beside a name; nothing where the title already says it ("person (person)", "unknown face (face)"). */
function kindsBeside(title, kinds) {
  const more = kinds.filter((k) => !title.split(' ').includes(k));
  return more.length ? `<span class="kinds">(${more.map(esc).join(', ')})</span>` : '';
}

function card(g) {
  const [main, ...others] = g.events;
  const title = g.sub_label ?? eventTitle(main);
  return `
  <figure class="card group" data-group="${esc(g.id)}">
    <a class="shot" href="#events/${encodeURIComponent(main.id)}">${eventImage(main, { title })}</a>
    <figcaption>
      <a href="#events/${encodeURIComponent(main.id)}"><b>${esc(title)}</b></a>
      ${kindsBeside(title, g.kinds)} on ${esc(g.camera)}<br>
      <span class="muted">${when(g.start_time)} · ${duration(g.start_time, g.end_time)} · ${percent(main.top_score)}</span>
      ${
        others.length
          ? `<ul class="members" aria-label="seen with it">${others
              .map(
                (e) => `<li><a href="#events/${encodeURIComponent(e.id)}" title="${esc(`${eventTitle(e)} (${e.kind})`)}">
                  ${eventImage(e, { crop: e.kind === 'face', width: 64 })}<span>${esc(eventTitle(e))}</span></a></li>`,
              )
              .join('')}</ul>`
          : ''
      }
    </figcaption>
  </figure>`;
}

/**
 * The visit an event was part of, when it was not alone: whose it was (a person event is titled
 * "person", the name is on the face seen on it) and links to the events seen with it.
 */
function visitLine(event, group) {
  const others = group?.events.filter((e) => e.id !== event.id) ?? [];
  if (others.length === 0) return '';
  const whose = group.sub_label ? `<b>${esc(group.sub_label)}</b>’s visit` : 'a visit';
  // "lin (face)", but "person" and "unknown face", not "person (person)"
  const named = (e) => (eventTitle(e).includes(e.kind) ? eventTitle(e) : `${eventTitle(e)} (${e.kind})`);
  const links = others.map((e) => `<a href="#events/${encodeURIComponent(e.id)}">${esc(named(e))}</a>`).join(', ');
  return `<p class="visit">Part of ${whose}, seen with ${links}.</p>`;
}

/** Values an event's attributes hold that a person can read (not a skeleton's keypoints). */
function readableAttributes(attributes = {}) {
  return Object.entries(attributes).filter(([k, v]) => k !== 'keypoints' && v !== null && ['number', 'string', 'boolean'].includes(typeof v));
}

const fact = (name, value) => `<dt>${esc(name)}</dt><dd>${value}</dd>`;
const number = (v) => (typeof v === 'number' && v <= 1 && v >= 0 ? percent(v) : esc(typeof v === 'number' ? Math.round(v * 1000) / 1000 : v));

async function mountEvent(root, ctx, id) {
  root.innerHTML = `<p><a href="#events">← All events</a></p><div id="event-detail"><p class="muted">Loading…</p></div>`;
  const box = $('#event-detail', root);
  const show = async () => {
    let event;
    let history;
    let group;
    try {
      const at = `api/events/${encodeURIComponent(id)}`;
      [event, { history }, { group }] = await Promise.all([api(at), api(`${at}/history`), api(`${at}/group`)]);
    } catch (err) {
      return showError(box, err);
    }
    const enc = encodeURIComponent(event.id);
    box.innerHTML = `
      <article class="event-detail" data-event="${esc(event.id)}">
        <h2>${esc(eventTitle(event))} <small class="muted">${kindsBeside(eventTitle(event), [event.kind, ...(event.label !== event.kind && event.sub_label ? [event.label] : [])])} on ${esc(event.camera)}</small></h2>
        ${visitLine(event, group)}
        <div class="shots">
          ${
            event.snapshot
              ? `<figure><img src="api/events/${enc}/snapshot.jpg" alt="snapshot of ${esc(eventTitle(event))}"><figcaption>Snapshot</figcaption></figure>
                 <figure><img src="api/events/${enc}/crop.jpg" alt="clean crop of ${esc(eventTitle(event))}" class="crop"><figcaption>Clean crop</figcaption></figure>`
              : '<p class="muted">No picture was kept for this event (none was saved, or retention pruned it).</p>'
          }
        </div>
        <dl class="facts">
          ${fact('Started', esc(when(event.start_time)))}
          ${fact('Lasted', esc(duration(event.start_time, event.end_time)))}
          ${fact('Score', `${percent(event.score)} (best ${percent(event.top_score)})`)}
          ${fact('Zones', event.zones.length ? event.zones.map(esc).join(', ') : '<span class="muted">none</span>')}
          ${readableAttributes(event.attributes)
            .map(([k, v]) => fact(k[0].toUpperCase() + k.slice(1).replaceAll('_', ' '), number(v)))
            .join('')}
        </dl>
        <section id="who-this" hidden></section>
        <h3>Updates</h3>
        ${
          history.length
            ? `<table id="event-history"><thead><tr><th>Time</th><th>What</th><th>Name</th><th>Score</th><th>Zones</th></tr></thead><tbody>
                ${history
                  .map(
                    (m) =>
                      `<tr><td>${esc(when(m.time))}</td><td>${esc(m.type)}</td><td>${esc(m.event.sub_label ?? '—')}</td><td>${percent(m.event.score)}</td><td>${esc((m.event.current_zones ?? m.event.zones).join(', ') || '—')}</td></tr>`,
                  )
                  .join('')}</tbody></table>`
            : '<p class="muted">No updates in the daily logs (they may have been removed).</p>'
        }
        <p><button id="event-delete" class="danger" ${event.end_time === null ? 'disabled title="It is still going on"' : ''}>Delete this event</button>
          <span id="event-delete-result" role="status"></span></p>
      </article>`;
    $('#event-delete', box).addEventListener('click', async () => {
      if (!confirm('Delete this event, its snapshot and its crop?')) return;
      try {
        await send('DELETE', `api/events/${enc}`);
        ctx.go('events');
      } catch (err) {
        $('#event-delete-result', box).innerHTML = `<span class="error" role="alert">${esc(err.message)}</span>`;
      }
    });
    if (event.kind === 'face' && !event.sub_label) whoIsThis($('#who-this', box), event);
  };
  await show();
  // The event changes while it goes on: show its new state.
  const refresh = throttle(show, 1000);
  ctx.live.on('detection', (m) => m.event?.id === id && refresh());
  return () => refresh.cancel();
}

/** An unknown face's event: name it here (its kept face is enrolled, as on the Who is this? page). */
async function whoIsThis(section, event) {
  let faces = [];
  let people = [];
  try {
    const [{ groups }, list] = await Promise.all([api(`api/unknown-faces?event_id=${encodeURIComponent(event.id)}`), api('api/faces')]);
    faces = groups.flatMap((g) => g.faces);
    people = list.people;
  } catch (err) {
    section.hidden = false;
    return showError(section, err);
  }
  section.hidden = false;
  section.innerHTML = `
    <h3>Who is this?</h3>
    <form id="who-form" class="row">
      <label>Name <input name="name" list="who-people" required maxlength="64" autocomplete="off"></label>
      <datalist id="who-people">${people.map((p) => `<option value="${esc(p.name)}">`).join('')}</datalist>
      <button type="submit">Add to the registry</button>
    </form>
    <div id="who-result" role="status"></div>`;
  $('#who-form', section).addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = new FormData(e.target).get('name').trim();
    const out = $('#who-result', section);
    if (!name) {
      out.innerHTML = '<p class="error" role="alert">Type their name first.</p>';
      return;
    }
    const button = $('button[type=submit]', e.target);
    // one request at a time: a second tap after "Added" said the face was gone
    if (button.disabled) return;
    button.disabled = true;
    out.innerHTML = '<p class="muted">Adding…</p>';
    try {
      let added = true;
      if (faces.length) {
        const r = await send('POST', 'api/unknown-faces/name', { name, faces: faces.map((f) => f.id) });
        showNameResult(out, name, r);
        added = r.enrolled.length > 0;
      } else {
        // No face was kept for it (older than the Who is this? list): the event's crop is embedded again.
        await send('POST', `api/faces/${encodeURIComponent(name)}/from-event/${encodeURIComponent(event.id)}`);
        out.innerHTML = `<p class="good">Added this face to ${esc(name)}.</p>`;
      }
      // Added: the form goes and the answer stays (its faces are gone from the list). Refused: the
      // answer's choices settle it, or another name is typed.
      if (added) e.target.hidden = true;
      else button.disabled = false;
    } catch (err) {
      out.innerHTML = `<p class="error" role="alert">${esc(err.message)}</p>`;
      button.disabled = false;
    }
  });
}

export default { id: 'events', title: 'Events', mount };
