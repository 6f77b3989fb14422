// Argus' web UI: a hash router over page modules (pages/index.js lists them, in menu order).
// A page is `{ id, title, mount(root, ctx) }`; mount may return a cleanup function. The context
// hands it the route's parameters, the shared live stream and timers, all dropped when it is left.

import { api } from './lib/api.js';
import { $, esc } from './lib/dom.js';
import { LiveStream } from './lib/live.js';
import { ALIASES, PAGES } from './pages/index.js';

const live = new LiveStream();
let leave = () => {};

/** `#people/alice?tab=samples` → { id: 'people', path: ['alice'], query }. */
export function parseHash(hash) {
  const [route, search = ''] = hash.replace(/^#/, '').split('?');
  const [first = '', ...path] = route.split('/').map(decodeURIComponent);
  const id = ALIASES[first] ?? first;
  return { id: PAGES.some((p) => p.id === id) ? id : PAGES[0].id, path, query: new URLSearchParams(search) };
}

function contextFor(route) {
  const cleanups = [];
  return {
    ctx: {
      path: route.path,
      query: route.query,
      live: { on: (name, fn) => cleanups.push(live.on(name, fn)) },
      every: (ms, fn) => {
        const timer = setInterval(fn, ms);
        cleanups.push(() => clearInterval(timer));
      },
      /** Moves to another route, e.g. ctx.go('people', 'alice'). */
      go: (id, ...path) => {
        location.hash = [id, ...path.map(encodeURIComponent)].join('/');
      },
    },
    cleanups,
  };
}

async function show() {
  leave();
  const route = parseHash(location.hash);
  const page = PAGES.find((p) => p.id === route.id);
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.tab === page.id) {
      a.setAttribute('aria-current', 'page');
      showInMenu(a);
    } else a.removeAttribute('aria-current');
  }
  document.title = `${page.title} · Argus`;
  const main = $('#page');
  main.dataset.page = page.id;
  // Each visit mounts into an element of its own: a page left while still loading finishes in that
  // one, detached, instead of writing into (or failing to find its parts in) the next page.
  const root = document.createElement('div');
  main.replaceChildren(root);
  const { ctx, cleanups } = contextFor(route);
  let stopped = false;
  leave = () => {
    stopped = true;
    for (const c of cleanups.splice(0)) c();
  };
  const cleanup = await page.mount(root, ctx);
  if (typeof cleanup === 'function') {
    if (stopped) cleanup();
    else cleanups.push(cleanup);
  }
}

/**
 * A phone's menu scrolls sideways: the current page's link is scrolled into it. Not with
 * scrollIntoView, which also moved the keyboard's starting point there, so Tab skipped the skip link.
 */
function showInMenu(link) {
  const nav = link.parentElement;
  const n = nav.getBoundingClientRect();
  const r = link.getBoundingClientRect();
  if (r.left < n.left) nav.scrollLeft -= n.left - r.left;
  else if (r.right > n.right) nav.scrollLeft += r.right - n.right;
}

async function refreshHealth() {
  try {
    const health = await api('api/health');
    // What a user must fix (a full data disk) stands out; a disconnected broker is said by "MQTT disconnected".
    const shown = (health.problems ?? []).filter((p) => !p.startsWith('MQTT'));
    sayHealth(`v${esc(health.version)} · MQTT ${esc(health.mqtt)}${shown.length ? ` · <span class="error">${shown.map(esc).join('; ')}</span>` : ''}`);
  } catch (err) {
    sayHealth(`Argus unreachable: ${esc(err.message)}`);
  }
}

/** The header's status line, changed only when it says something new (it is read aloud at each change). */
function sayHealth(html) {
  const box = $('#health');
  if (box.dataset.said === html) return;
  box.dataset.said = html;
  box.innerHTML = html;
}

$('nav').innerHTML = PAGES.map((p) => `<a href="#${p.id}" data-tab="${p.id}">${esc(p.title)}</a>`).join('');
// Past the ten menu links to the page; the hash is the router's, so the link moves the focus itself.
$('a.skip').addEventListener('click', (e) => {
  e.preventDefault();
  $('#page').focus();
});
window.addEventListener('hashchange', show);
show();
refreshHealth();
setInterval(refreshHealth, 30_000);
setInterval(refreshHealth, 10_000);
