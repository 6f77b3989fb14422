// People: the face registry. The list shows each person with their picture, when and where they
// were last seen and their events; #people/<name> shows their samples as a grid (add photos by
// drag and drop, delete one), and renames, merges or deletes them.
import { api, send, upload } from '../lib/api.js';
import { $, addButton, ago, esc, percent, plural, showError } from '../lib/dom.js';
import { stylesheet } from '../lib/stylesheet.js';
import { mountRegistrySafe } from './registry-safe.js';

async function mount(root, ctx) {
  stylesheet('ui/pages/people.css');
  return ctx.path[0] ? mountPerson(root, ctx, ctx.path[0]) : mountList(root, ctx);
}

const personHash = (name) => `#people/${encodeURIComponent(name)}`;
const eventsHash = (name) => `#events?name=${encodeURIComponent(name)}`;

/** A drop zone and a file picker for several photos; `onFiles(files)` gets what was dropped or picked. */
function photoPicker(zone, input, onFiles) {
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer.files.length) onFiles([...e.dataTransfer.files]);
  });
  input.addEventListener('change', () => {
    if (input.files.length) onFiles([...input.files]);
  });
}

/** Uploads one photo of `name`, with form `fields` (`face`, `force`) beside it. */
function sendPhoto(name, file, fields, onProgress) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', file, file.name);
  return upload(`api/faces/${encodeURIComponent(name)}`, form, onProgress);
}

/** As the registry's SAME_PHOTO: a face this alike is the very photo, not a look-alike. */
const SAME_PHOTO = 0.999;
const samePhoto = (err) => err.code === 'duplicate' && err.body.similarity >= SAME_PHOTO;

/** What a refusal says on the page: the two a click can settle, in the page's words. */
function refusal(err, name) {
  if (err.code === 'several_faces') return `${err.body.faces.length} faces in this photo: which one is ${name}?`;
  if (samePhoto(err)) return `${err.body.person} already has this very photo.`;
  if (err.code === 'duplicate') return `This face looks like ${err.body.person} (${Math.round(err.body.similarity * 100)}% alike).`;
  if (err.code === 'unlike') return `This face does not look like ${name}'s other photos (${Math.round(err.body.similarity * 100)}% alike at most).`;
  if (err.code === 'same_photo') return `${name} already has this photo.`;
  return err.message;
}

/** The face `f` (its box in a copy of the photo `width` pixels wide: a large photo is read scaled down) drawn from the file, as a small picture. */
async function faceThumb(file, f, width) {
  const bitmap = await createImageBitmap(file);
  const s = bitmap.width / width;
  const [x1, y1, x2, y2] = f.box.map((v) => v * s);
  const canvas = document.createElement('canvas');
  canvas.width = 72;
  canvas.height = 72;
  const side = Math.max(x2 - x1, y2 - y1) * 1.2;
  canvas.getContext('2d').drawImage(bitmap, (x1 + x2) / 2 - side / 2, (y1 + y2) / 2 - side / 2, side, side, 0, 0, 72, 72);
  bitmap.close();
  return canvas;
}

/**
 * Under a refused photo, the choices that settle it: which of its faces is the person, or (a face
 * like someone else's) add it to them instead, or to this person anyway. Each sends the photo
 * again; a new refusal offers its own choices. `onAdded()` runs once the photo is in.
 */
async function offerChoices(row, file, name, fields, err, onAdded) {
  const outcome = $('.outcome', row);
  row.querySelector('.choices')?.remove();
  const choices = document.createElement('div');
  choices.className = 'choices';
  const retry = async (who, more) => {
    choices.remove();
    outcome.className = 'outcome muted';
    outcome.textContent = 'adding…';
    try {
      const added = await sendPhoto(who, file, { ...fields, ...more });
      outcome.className = 'outcome good';
      outcome.textContent = who === name ? 'added' : `added to ${who}`;
      onAdded();
      doubtAbout(row, added, who, onAdded);
    } catch (again) {
      outcome.className = 'outcome error';
      outcome.textContent = refusal(again, who);
      offerChoices(row, file, who, { ...fields, ...more }, again, onAdded);
    }
  };
  const button = (label, onClick) => addButton(choices, label, onClick);
  if (err.code === 'several_faces') {
    const { faces, width } = err.body;
    for (const [i, f] of faces.entries()) {
      const b = button('', () => retry(name, { face: String(f.index) }));
      b.className = 'face-choice';
      b.setAttribute('aria-label', `face ${i + 1} of ${faces.length}, from the left`);
      b.append(await faceThumb(file, f, width));
    }
  } else if (err.code === 'duplicate') {
    const other = err.body.person;
    // "Add to Dad instead" of Dad's own photo could only be refused again
    if (!samePhoto(err)) button(`Add to ${other} instead`, () => retry(other, {}));
    button(`It is ${name}: add anyway`, () => retry(name, { force: 'true' }));
  } else if (err.code === 'unlike') {
    button(`It is ${name}: add anyway`, () => retry(name, { force: 'true' }));
  } else return;
  row.append(choices);
}

/**
 * A photo that went in looking less like the person than faces are named from: were it someone
 * else, strangers like them would get this name. Said on its row, with a way to take it out.
 */
function doubtAbout(row, added, name, onChange) {
  const threshold = added?.threshold;
  const doubtful = (added?.samples ?? []).find((s) => s.likeness !== null && s.likeness < threshold);
  if (!doubtful) return;
  const outcome = $('.outcome', row);
  outcome.className = 'outcome warn';
  outcome.textContent = `added, but it looks only ${percent(doubtful.likeness)} like ${name}'s other photos (faces are named from ${percent(threshold)}): if it is someone else, remove it, or strangers like them will be named ${name}`;
  const choices = document.createElement('div');
  choices.className = 'choices';
  addButton(choices, 'Remove this photo', async () => {
    try {
      await send('DELETE', `api/faces/${encodeURIComponent(added.person.name)}/samples/${doubtful.id}`);
      outcome.className = 'outcome muted';
      outcome.textContent = 'removed';
      choices.remove();
      onChange();
    } catch (err) {
      outcome.className = 'outcome error';
      outcome.textContent = err.message;
    }
  });
  row.append(choices);
}

/**
 * Enrols photos one at a time, each with its progress bar and its own result (a photo with no
 * face, or one that looks like someone else, is refused with the reason; the others still go in).
 * A photo with several faces, or a face like someone else's, offers the choices that settle it;
 * `onAdded()` runs when one of those is then added.
 */
/** `faces.max_upload_mb`, read once; null when the config cannot be read (the server still refuses). */
let faceLimit;
async function faceLimitMb() {
  faceLimit ??= api('api/config')
    .then(({ config }) => config.faces?.max_upload_mb ?? null)
    .catch(() => null);
  return faceLimit;
}

async function enrolEach(name, files, list, onAdded = () => {}, maxMb = null) {
  list.innerHTML = files
    .map(
      (f, i) => `<li data-photo="${i}"><span class="file">${esc(f.name)}</span> <progress max="1" value="0" aria-label="${esc(f.name)} upload"></progress>
        <span class="outcome muted">waiting</span></li>`,
    )
    .join('');
  const results = [];
  for (const [i, file] of files.entries()) {
    const row = $(`[data-photo="${i}"]`, list);
    const bar = $('progress', row);
    const outcome = $('.outcome', row);
    outcome.textContent = 'uploading…';
    if (!file.type.startsWith('image/')) {
      outcome.className = 'outcome error';
      outcome.textContent = 'not an image: send a JPEG, PNG, WebP, AVIF, GIF or TIFF photo';
      results.push({ file, ok: false, error: `${file.name} is not an image.` });
      continue;
    }
    // Said before the upload: on mobile data a 6 MB photo sent only to be refused is a waste.
    if (maxMb && file.size > maxMb * 1024 * 1024) {
      const said = `${(file.size / 1024 / 1024).toFixed(1)} MB: larger than the ${maxMb} MB limit for face photos; a smaller copy of it will do`;
      outcome.className = 'outcome error';
      outcome.textContent = said;
      results.push({ file, ok: false, error: `${file.name} is ${said}.` });
      continue;
    }
    try {
      const added = await sendPhoto(name, file, {}, (p) => {
        bar.value = p;
        if (p >= 1) outcome.textContent = 'finding the face…';
      });
      bar.value = 1;
      outcome.className = 'outcome good';
      outcome.textContent = 'added';
      results.push({ file, ok: true });
      doubtAbout(row, added, name, onAdded);
    } catch (err) {
      if (err.code === 'invalid_name') {
        // the name, not the photo: said once, and the other photos are not sent
        for (const o of list.querySelectorAll('.outcome')) {
          o.className = 'outcome muted';
          o.textContent = 'not sent';
        }
        return [{ file, ok: false, error: err.message }];
      }
      outcome.className = 'outcome error';
      outcome.textContent = refusal(err, name);
      results.push({ file, ok: false, error: refusal(err, name) });
      await offerChoices(row, file, name, {}, err, onAdded);
    }
  }
  return results;
}

function summary(name, results) {
  const added = results.filter((r) => r.ok).length;
  const refused = results.filter((r) => !r.ok);
  if (!refused.length) return { ok: true, text: `Added ${added === 1 ? 'a photo' : plural(added, 'photo')} of ${name}.` };
  if (results.length === 1) return { ok: false, text: refused[0].error };
  return { ok: false, text: `${added ? `Added ${plural(added, 'photo')} of ${name}; ` : ''}${refused.length} refused: the reasons are beside each photo.` };
}

async function mountList(root, ctx) {
  root.innerHTML = `
    <form id="enrol" class="card enrol">
      <h2>Add someone</h2>
      <div class="row">
        <label>Name <input name="name" placeholder="e.g. alice" required maxlength="64" autocomplete="off"></label>
        <label>Photos <input name="file" type="file" accept="image/*" multiple></label>
        <button type="submit">Add face</button>
      </div>
      <div id="drop-photos" class="drop">…or drop photos here (one face each; several photos of one person make recognition surer)</div>
      <p id="enrol-result" role="status"></p>
      <ul id="enrol-progress" class="progress-list"></ul>
    </form>
    <p id="people-status" class="muted" role="status">Loading people…</p>
    <div id="people" class="people-grid"></div>
    <div id="registry-safe"></div>`;
  const box = $('#people', root);
  const form = $('#enrol', root);
  const out = $('#enrol-result', root);
  let picked = [];

  const load = async () => {
    try {
      const { people } = await api('api/people');
      box.innerHTML = people.map(personCard).join('');
      $('#people-status', root).textContent = people.length
        ? `${plural(people.length, 'person', 'people')} in the registry.`
        : 'Nobody enrolled yet: add photos above, or name a stranger on Who is this?.';
    } catch (err) {
      showError(box, err);
    }
  };

  let busy = false;
  const enrol = async (files) => {
    // A second tap while the first upload runs sent the photo twice ("already has this photo" for a success).
    if (busy) return;
    const name = form.elements.name.value.trim();
    if (!name) {
      out.className = 'error';
      out.textContent = 'Type the person’s name first, then add the photos.';
      form.elements.name.focus();
      return;
    }
    out.className = '';
    out.textContent = `Adding ${plural(files.length, 'photo')} of ${name}…`;
    const added = () => {
      out.className = 'good';
      out.textContent = 'Added: the list below has it.';
      load();
    };
    busy = true;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const s = summary(name, await enrolEach(name, files, $('#enrol-progress', root), added, await faceLimitMb()));
      out.className = s.ok ? 'good' : 'error';
      out.textContent = s.text;
    } finally {
      busy = false;
      button.disabled = false;
    }
    form.elements.file.value = '';
    picked = [];
    load();
  };
  const zone = $('#drop-photos', root);
  // Picked files wait for the button; dropped ones go at once.
  photoPicker(zone, form.elements.file, (files) => {
    picked = files;
  });
  zone.addEventListener('drop', () => picked.length && enrol(picked));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (picked.length) return enrol(picked);
    out.className = 'error';
    out.textContent = 'Pick or drop one or more photos of the person.';
  });
  mountRegistrySafe($('#registry-safe', root), load);
  await load();
  // The registry changed (here, on Who is this?, from Telegram or the CLI).
  ctx.live.on('faces', load);
}

function lastSeen(p) {
  if (!p.last_seen) return '<span class="muted">not seen yet</span>';
  const t = Date.parse(p.last_seen.time) / 1000;
  return `seen ${esc(ago(t))} on ${esc(p.last_seen.camera)}`;
}

const personCard = (p) => `
  <div class="card person" data-person="${esc(p.name)}">
    <a href="${personHash(p.name)}" class="thumb" tabindex="-1" aria-hidden="true">${p.thumbnail ? `<img src="api/${esc(p.thumbnail)}" alt="" width="64" height="64">` : '<span class="no-shot">?</span>'}</a>
    <span><a href="${personHash(p.name)}"><b>${esc(p.name)}</b></a><br>
      <span class="muted">${plural(p.samples, 'photo')} · ${lastSeen(p)}</span><br>
      <a href="${eventsHash(p.name)}">${plural(p.events, 'event')}</a></span>
  </div>`;

async function mountPerson(root, ctx, name) {
  root.innerHTML = `<p><a href="#people">← All people</a></p><div id="person"><p class="muted">Loading…</p></div>`;
  const box = $('#person', root);
  let person;
  let people;
  const show = async () => {
    try {
      [person, { people }] = await Promise.all([api(`api/faces/${encodeURIComponent(name)}`), api('api/people')]);
    } catch (err) {
      return showError(box, err);
    }
    const summaryOf = people.find((p) => p.name === person.name) ?? { events: 0, last_seen: null };
    const seen = summaryOf.last_seen;
    const others = people.filter((p) => p.name !== person.name);
    box.innerHTML = `
      <h2>${esc(person.name)}</h2>
      <div class="person-top">
        <div>
          <p>${plural(person.samples.length, 'photo')} · <a href="${eventsHash(person.name)}">${plural(summaryOf.events, 'event')}</a></p>
          <p>${lastSeen(summaryOf)}${seen ? ` · <a href="#events/${encodeURIComponent(seen.event_id)}">the event</a>` : ''}</p>
          ${seen?.snapshot ? `<a href="#events/${encodeURIComponent(seen.event_id)}"><img class="last-seen" src="api/${esc(seen.snapshot)}" alt="where ${esc(person.name)} was last seen" width="320"></a>` : ''}
        </div>
        <div class="person-actions">
          <form id="rename" class="row"><label>Rename to <input name="name" required maxlength="64" value="${esc(person.name)}"></label><button type="submit">Rename</button></form>
          <form id="external" class="row"><label>Id <input name="external_id" maxlength="255" placeholder="e.g. person.alice" value="${esc(person.external_id ?? '')}" aria-describedby="external-help"></label><button type="submit">Save id</button></form>
          <p id="external-help" class="muted">Optional: their Home Assistant person (or another system's key), sent with each sighting.</p>
          ${
            others.length
              ? `<form id="merge" class="row"><label>Same person as <select name="into">${others.map((p) => `<option>${esc(p.name)}</option>`).join('')}</select></label>
                 <button type="submit">Merge into them</button></form>`
              : ''
          }
          <button id="delete-person" class="danger">Delete ${esc(person.name)}</button>
          <p id="person-result" role="status"></p>
        </div>
      </div>
      <h3>Photos</h3>
      <div id="drop-photos" class="drop">Drop photos of ${esc(person.name)} here, or
        <button type="button" class="pick">pick them</button><input type="file" accept="image/*" multiple hidden aria-label="photos of ${esc(person.name)}"></div>
      <ul id="enrol-progress" class="progress-list"></ul>
      <ul id="samples" class="samples">
        ${person.samples
          .map(
            (s) => `<li data-sample="${esc(s.id)}">
              ${s.crop ? `<img src="api/${esc(s.crop)}" alt="sample ${esc(s.id)}" width="112" height="112" loading="lazy">` : '<span class="no-shot">no picture</span>'}
              <span class="muted">${esc(s.source === 'event' ? 'from an event' : s.source === 'import' ? 'imported' : (s.source_ref ?? 'photo'))}</span>
              <button class="delete-sample" data-id="${esc(s.id)}" aria-label="delete sample ${esc(s.id)}">Delete</button></li>`,
          )
          .join('')}
      </ul>`;
    wire();
  };

  const result = (ok, text) => {
    const out = $('#person-result', box);
    out.className = ok ? 'good' : 'error';
    out.textContent = text;
  };

  const wire = () => {
    $('#rename', box).addEventListener('submit', async (e) => {
      e.preventDefault();
      const to = new FormData(e.target).get('name').trim();
      if (!to) return result(false, 'Type the new name.');
      try {
        // to the name as stored: a phone's ’ is stored as ', and the typed one found nobody
        const renamed = await send('PATCH', `api/faces/${encodeURIComponent(person.name)}`, { name: to });
        ctx.go('people', renamed.name);
      } catch (err) {
        result(false, err.message);
      }
    });
    $('#external', box).addEventListener('submit', async (e) => {
      e.preventDefault();
      const id = new FormData(e.target).get('external_id').trim();
      try {
        await send('PATCH', `api/faces/${encodeURIComponent(person.name)}`, { external_id: id || null });
        await show();
        result(true, id ? `${person.name}'s id is ${id}.` : `${person.name} has no id now.`);
      } catch (err) {
        result(false, err.message);
      }
    });
    $('#merge', box)?.addEventListener('submit', async (e) => {
      e.preventDefault();
      const into = new FormData(e.target).get('into');
      if (!confirm(`Move all of ${person.name}'s photos to ${into} and delete ${person.name}?`)) return;
      const merge = (force) => send('POST', `api/faces/${encodeURIComponent(person.name)}/merge`, force ? { into, force } : { into });
      try {
        await merge(false).catch((err) => {
          // two who look nothing alike: asked again, with how alike they are
          if (err.code !== 'unlike' || !confirm(`${err.message.replace(/: check they are one person.*$/, '')}. Merge them anyway?`)) throw err;
          return merge(true);
        });
        ctx.go('people', into);
      } catch (err) {
        result(false, err.message);
      }
    });
    $('#delete-person', box).addEventListener('click', async () => {
      if (!confirm(`Delete ${person.name} and all their photos?`)) return;
      try {
        await send('DELETE', `api/faces/${encodeURIComponent(person.name)}`);
        ctx.go('people');
      } catch (err) {
        result(false, err.message);
      }
    });
    $('#samples', box).addEventListener('click', async (e) => {
      const id = e.target.dataset?.id;
      if (!e.target.matches('.delete-sample') || !id || !confirm('Delete this photo from the registry?')) return;
      try {
        await send('DELETE', `api/faces/${encodeURIComponent(person.name)}/samples/${encodeURIComponent(id)}`);
        await show();
      } catch (err) {
        result(false, err.message);
      }
    });
    const zone = $('#drop-photos', box);
    $('.pick', zone).addEventListener('click', () => $('input[type=file]', zone).click());
    // Redrawn with the new samples; each photo's outcome (and the choices a refusal offers) stays in view.
    const redraw = async () => {
      const outcomes = [...$('#enrol-progress', box).childNodes];
      await show();
      $('#enrol-progress', box).replaceChildren(...outcomes);
    };
    photoPicker(zone, $('input[type=file]', zone), async (files) => {
      const s = summary(
        person.name,
        await enrolEach(
          person.name,
          files,
          $('#enrol-progress', box),
          async () => {
            await redraw();
            result(true, 'Added.');
          },
          await faceLimitMb(),
        ),
      );
      await redraw();
      result(s.ok, s.text);
    });
  };
  await show();
}

export default { id: 'people', title: 'People', mount };
