// Small helpers shared by the Events, Who is this? and People pages.
import { esc, plural } from '../lib/dom.js';

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

/** What naming did, face by face (the registry's duplicate check may refuse some, saying why). */
export function nameResult(name, r) {
  const ok = r.enrolled.length ? `<p class="good">Added ${plural(r.enrolled.length, 'face')} to ${esc(name)}: later sightings carry the name.</p>` : '';
  const refused = r.refused
    .map((f) => `<li><img class="face-mini" src="api/unknown-faces/${encodeURIComponent(f.face)}/crop.jpg" alt="face ${esc(f.face)}" width="48" height="48"> ${esc(f.error)}</li>`)
    .join('');
  return `${ok}${refused ? `<p class="error">Not added:</p><ul class="refused">${refused}</ul>` : ''}`;
}
