// Small DOM helpers shared by the pages. No framework: each page builds its HTML from escaped strings.

export const $ = (sel, el = document) => el.querySelector(sel);
export const $$ = (sel, el = document) => [...el.querySelectorAll(sel)];

/** Escapes text for HTML; every value from the server goes through it. */
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "1 photo", "2 photos". */
export const plural = (n, word, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export const percent = (x) => `${Math.round((x ?? 0) * 100)}%`;

/** A unix time in seconds as the browser's local date and time. */
export const when = (seconds) => new Date(seconds * 1000).toLocaleString();

/** "12 s ago", "5 min ago", "3 h ago", else the date. */
export function ago(seconds, now = Date.now() / 1000) {
  const d = Math.max(0, now - seconds);
  if (d < 60) return `${Math.round(d)} s ago`;
  if (d < 3600) return `${Math.round(d / 60)} min ago`;
  if (d < 86_400) return `${Math.round(d / 3600)} h ago`;
  return when(seconds);
}

/** A `<button type="button">` reading `label`, appended to `parent`, calling `onClick`; returned. */
export function addButton(parent, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', onClick);
  parent.append(b);
  return b;
}

/** Shows an error in a box instead of its content. */
export function showError(box, err) {
  box.innerHTML = `<p class="error" role="alert">${esc(err?.message ?? err)}</p>`;
}
