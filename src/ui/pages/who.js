// Who is this?: the faces the cameras saw that nobody has named, grouped by likeness (one group
// per stranger). Name a group and its ticked faces join the registry, so later sightings carry
// the name; or dismiss it. The fastest way a household builds its registry.
import { api, send } from '../lib/api.js';
import { $, $$, ago, esc, percent, plural, showError, when } from '../lib/dom.js';
import { stylesheet } from '../lib/stylesheet.js';
import { showNameResult, throttle } from './review-lib.js';

/** Faces drawn per group; the rest are named with it all the same. */
const SHOWN = 24;

async function mount(root, ctx) {
  stylesheet('ui/pages/who.css');
  root.innerHTML = `
    <p class="muted">Faces the cameras saw that nobody has named, grouped by likeness: one group per person, as best Argus can
      tell. Untick a face that is someone else, then name the group to add its faces to the registry (later sightings
      carry the name), or dismiss it.</p>
    <div id="who-log" aria-live="polite"></div>
    <button id="who-new" class="banner" hidden>New faces: show them</button>
    <p id="who-status" class="muted" role="status">Loading faces…</p>
    <datalist id="who-people"></datalist>
    <div id="who-groups" class="who-groups"></div>`;
  const box = $('#who-groups', root);
  const status = $('#who-status', root);
  const log = $('#who-log', root);
  const fresh = $('#who-new', root);

  const load = async () => {
    try {
      const [{ groups, faces, threshold }, { people }] = await Promise.all([api('api/unknown-faces'), api('api/faces')]);
      $('#who-people', root).innerHTML = people.map((p) => `<option value="${esc(p.name)}">`).join('');
      box.innerHTML = groups.map(group).join('');
      status.textContent = groups.length
        ? `${plural(faces, 'unknown face')} in ${plural(groups.length, 'group')} (faces at least ${Math.round(threshold * 100)}% alike on average are grouped).`
        : 'No unknown faces: everyone the cameras saw lately has a name, or nobody was seen.';
      fresh.hidden = true;
    } catch (err) {
      showError(box, err);
      status.textContent = '';
    }
  };

  /** A card on top of the log; returns it. */
  const note = (html = '') => {
    log.insertAdjacentHTML('afterbegin', `<div class="card who-note" tabindex="-1" role="status">${html}</div>`);
    return log.firstElementChild;
  };

  box.addEventListener('submit', async (e) => {
    e.preventDefault();
    const card = e.target.closest('[data-group]');
    const name = new FormData(e.target).get('name').trim();
    if (!name) {
      $('.result', card).innerHTML = '<p class="error" role="alert">Type their name first.</p>';
      return;
    }
    const faces = $$('input[name=face]:checked, input[type=hidden][name=face]', card).map((c) => Number(c.value));
    if (!faces.length) {
      $('.result', card).innerHTML = '<p class="error" role="alert">Tick at least one face to name.</p>';
      return;
    }
    $('.result', card).innerHTML = `<p class="muted">Adding ${plural(faces.length, 'face')} to ${esc(name)}…</p>`;
    for (const b of $$('button', card)) b.disabled = true;
    try {
      const result = await send('POST', 'api/unknown-faces/name', { name, faces });
      const said = note();
      showNameResult(said, name, result, load);
      await load();
      // the named card is gone from the list: the keyboard goes on from what naming did
      said.focus();
    } catch (err) {
      if (err.code === 'face_not_found') {
        // Its stranger was recognised meanwhile, or the faces were named or dismissed elsewhere.
        note('<p class="error">Those faces are gone meanwhile (recognised, named or dismissed elsewhere): the list is up to date again.</p>');
        return load();
      }
      $('.result', card).innerHTML = `<p class="error" role="alert">${esc(err.message)}</p>`;
      for (const b of $$('button', card)) b.disabled = false;
    }
  });

  box.addEventListener('click', async (e) => {
    if (!e.target.matches('button.dismiss')) return;
    const card = e.target.closest('[data-group]');
    const faces = $$('input[name=face]', card).map((c) => Number(c.value));
    try {
      const { removed } = await send('POST', 'api/unknown-faces/dismiss', { faces });
      note(`<p>Dismissed ${plural(removed, 'face')}.</p>`);
      await load();
    } catch (err) {
      $('.result', card).innerHTML = `<p class="error" role="alert">${esc(err.message)}</p>`;
    }
  });

  // A new stranger: refresh, unless someone is typing a name (then offer it).
  const refresh = throttle(() => {
    if (box.contains(document.activeElement) && document.activeElement.matches('input')) fresh.hidden = false;
    else load();
  }, 2000);
  ctx.live.on('detection', (m) => m.event?.kind === 'face' && !m.event.sub_label && m.type === 'start' && refresh());
  fresh.addEventListener('click', load);
  await load();
  return () => refresh.cancel();
}

function group(g) {
  const last = Date.parse(g.last_seen) / 1000;
  const faces = g.faces.slice(-SHOWN);
  const hidden = g.faces.slice(0, -SHOWN);
  return `
  <section class="card stranger" data-group="${esc(g.id)}" aria-labelledby="stranger-${esc(g.id)}">
    <h3 id="stranger-${esc(g.id)}">${plural(g.faces.length, 'face')} <small class="muted">seen ${esc(ago(last))} on ${g.cameras.map(esc).join(', ')}</small></h3>
    ${g.closest ? `<p class="muted closest">Looks most like <a href="#people/${encodeURIComponent(g.closest.name)}">${esc(g.closest.name)}</a> (${percent(g.closest.similarity)} alike): if it is them, name it so.</p>` : ''}
    <ul class="faces">
      ${faces
        .map(
          (f) => `<li><label title="${esc(`${f.camera}, ${when(Date.parse(f.time) / 1000)}`)}">
            <input type="checkbox" name="face" value="${esc(f.id)}" checked aria-label="include the face seen on ${esc(f.camera)} at ${esc(when(Date.parse(f.time) / 1000))}">
            <img src="api/${esc(f.crop)}" alt="" width="96" height="96" loading="lazy"></label>
            <a href="#events/${encodeURIComponent(f.event_id)}" class="muted">event</a></li>`,
        )
        .join('')}
    </ul>
    ${hidden.map((f) => `<input type="hidden" name="face" value="${esc(f.id)}">`).join('')}
    ${hidden.length ? `<p class="muted">and ${plural(hidden.length, 'older face')}, named with them</p>` : ''}
    <form class="row name-form">
      <label>Who is this? <input name="name" list="who-people" required maxlength="64" autocomplete="off" placeholder="a name"></label>
      <button type="submit">Name</button>
      <button type="button" class="dismiss">Dismiss</button>
    </form>
    <div class="result" role="status"></div>
  </section>`;
}

export default { id: 'who', title: 'Who is this?', mount };
