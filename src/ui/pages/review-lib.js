// Small helpers shared by the Events, Who is this? and People pages.
import { send } from '../lib/api.js';
import { addButton, esc, percent, plural } from '../lib/dom.js';

/** What an event is called: the person's name when known, else its label ("hands_up", "knife", "unknown face"). */
export const eventTitle = (e) => e.sub_label || (e.kind === 'face' && e.label === 'face' ? 'unknown face' : e.label);

/** "12 s", "3 min", "going on". */
export function duration(start, end) {
  if (end === null || end === undefined) return 'going on';
  const s = Math.max(0, end - start);
  return s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

/** An event's picture: the annotated snapshot, or for a face the clean crop (the face itself). */
export function eventImage(e, { crop = false, width = 320, title = eventTitle(e) } = {}) {
  if (!e.snapshot) return `<span class="no-shot" aria-hidden="true">no picture</span>`;
  const file = crop ? 'crop.jpg' : 'snapshot.jpg';
  return `<img src="api/events/${encodeURIComponent(e.id)}/${file}" alt="${esc(title)}" title="${esc(title)}" width="${width}" loading="lazy">`;
}

/**
 * Runs fn `ms` after the first of a burst of calls, with the last call's arguments, then again
 * for the calls since: at most once per `ms`. Live updates come in bursts, and a busy camera's
 * steady stream (a message every second) must not hold a refresh off for ever, as a debounce
 * that waited for a quiet moment did.
 */
export function throttle(fn, ms) {
  let timer;
  let last;
  const call = (...args) => {
    last = args;
    timer ??= setTimeout(() => {
      timer = undefined;
      fn(...last);
    }, ms);
  };
  call.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return call;
}

/** A refused face: its crop, or (gone meanwhile, its crop with it) a plain mark. */
/** ` in 1796648146.117-kq500e`: the event a face came from, which the registry names; the crop beside the reason shows it better. */
const EVENT_REF = / in \d+\.\d+-[a-z0-9]+/;

/** ", or pass force to add it anyway": the API's way; here the buttons under the answer are. */
const PASS_FORCE = /, or pass force to (enrol|add) it[^.]*$/;

/** One refused face, its crop beside the reason. */
export const refusedFace = (f) =>
  f.code === 'face_not_found'
    ? `<span class="face-mini gone" aria-hidden="true">?</span> face ${esc(f.face)}: ${esc(f.error)}`
    : `<img class="face-mini" src="api/unknown-faces/${encodeURIComponent(f.face)}/crop.jpg" alt="face ${esc(f.face)}" width="48" height="48"> ${esc(f.error.replace(EVENT_REF, '').replace(PASS_FORCE, ''))}`;

/**
 * What naming did, face by face, shown in `el`: the faces added, and each refused one with its
 * reason. Faces refused as looking like someone else (`duplicate`) or unlike the person's photos
 * (`unlike`) get the choices that settle them: add them to that someone instead, or to `name`
 * anyway. A choice names those faces again and shows its own result here; `onChange()` runs
 * after each naming that added a face.
 */
export function showNameResult(el, name, r, onChange = () => {}) {
  const ok = r.enrolled.length ? `<p class="good">Added ${plural(r.enrolled.length, 'face')} to ${esc(name)}: later sightings carry the name.</p>` : '';
  // Added, but less like their other photos than faces are named from: someone else, by mistake?
  const doubtful = r.enrolled.filter((f) => f.likeness !== null && f.likeness !== undefined && f.likeness < r.threshold);
  const doubt = doubtful.length
    ? `<p class="warn doubt">${doubtful.length > 1 ? `${doubtful.length} of them look` : 'One looks'} only ${percent(Math.min(...doubtful.map((f) => f.likeness)))} like ${esc(name)}'s other photos (faces are named from ${percent(r.threshold)}): if that is someone else, remove it on <a href="#people/${encodeURIComponent(name)}">${esc(name)}'s page</a>, or strangers like them will be named ${esc(name)}.</p>`
    : '';
  const refused = r.refused.map((f) => `<li>${refusedFace(f)}</li>`).join('');
  el.innerHTML = `${ok}${doubt}${refused ? `<p class="error">Not added:</p><ul class="refused">${refused}</ul>` : ''}`;
  const choices = document.createElement('div');
  choices.className = 'row choices';
  const rename = async (who, faces, force) => {
    for (const b of choices.querySelectorAll('button')) b.disabled = true;
    try {
      const again = await send('POST', 'api/unknown-faces/name', { name: who, faces, ...(force ? { force: true } : {}) });
      showNameResult(el, who, again, onChange);
      if (again.enrolled.length) onChange();
    } catch (err) {
      el.insertAdjacentHTML('beforeend', `<p class="error" role="alert">${esc(err.message)}</p>`);
      if (err.code === 'face_not_found') choices.remove();
      else for (const b of choices.querySelectorAll('button')) b.disabled = false;
    }
  };
  const button = (label, onClick) => addButton(choices, label, onClick);
  const alike = new Map();
  for (const f of r.refused.filter((f) => f.code === 'duplicate')) alike.set(f.person, [...(alike.get(f.person) ?? []), f.face]);
  for (const [other, faces] of alike) button(`${faces.length > 1 ? `These ${faces.length} look` : 'It looks'} like ${other}: add to ${other} instead`, () => rename(other, faces));
  const unsure = r.refused.filter((f) => f.code === 'duplicate' || f.code === 'unlike').map((f) => f.face);
  if (unsure.length) button(`${unsure.length > 1 ? 'They are' : 'It is'} ${name}: add anyway`, () => rename(name, unsure, true));
  if (choices.childElementCount) el.append(choices);
}
