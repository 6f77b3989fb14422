// Settings: the configuration as Argus loaded it (defaults filled in), secrets masked by the
// server. Read-only: it is changed in the add-on's options or the YAML file.
import { api } from '../lib/api.js';
import { $, esc, showError } from '../lib/dom.js';
import { stylesheet } from '../lib/stylesheet.js';

const MASK = '***';

function value(v) {
  if (v === MASK) return '<span class="masked" title="a secret, not shown">hidden</span>';
  if (v === null || v === undefined) return '<span class="muted">not set</span>';
  if (typeof v === 'string') return v === '' ? '<span class="muted">(empty)</span>' : esc(v).replaceAll('***', '<span class="masked">***</span>');
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.length ? esc(v.join(', ')) : '<span class="muted">none</span>';
  return esc(JSON.stringify(v));
}

/** `{a: {b: 1}}` → rows `a.b = 1`; arrays of objects stay one row. */
function rows(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) return rows(v, key);
    return [`<tr data-key="${esc(key)}"><td class="key">${esc(key)}</td><td class="value">${value(v)}</td></tr>`];
  });
}

async function mount(root) {
  stylesheet('ui/pages/ops.css');
  root.innerHTML = '<div class="ops"><div class="settings"><p class="muted">Loading…</p></div></div>';
  const box = $('.settings', root);
  let body;
  try {
    body = await api('api/config');
  } catch (err) {
    return showError(box, err);
  }
  // Top-level values (data_dir, log_level…) share one section; each part (server, mqtt…) has its own.
  const isPart = ([, v]) => v && typeof v === 'object' && !Array.isArray(v);
  const entries = Object.entries(body.config);
  const general = Object.fromEntries(entries.filter((e) => !isPart(e)));
  const parts = [...(Object.keys(general).length ? [['general', general]] : []), ...entries.filter(isPart)];
  const sections = parts.map(([name, v]) => {
    const inner = `<div class="scroll"><table class="data"><tbody>${rows(v).join('') || '<tr><td class="muted">empty</td></tr>'}</tbody></table></div>`;
    return `<details data-section="${esc(name)}" ${['general', 'server', 'cameras', 'mqtt'].includes(name) ? 'open' : ''}><summary>${esc(name)}</summary>${inner}</details>`;
  });
  box.innerHTML = `<p>Loaded from <b>${esc(body.source)}</b>${body.demo ? ', with the demo camera (no camera configured)' : ''}.
    Passwords, tokens and the passwords inside camera URLs are <span class="masked">hidden</span>. Change settings in the add-on's options or the YAML file, then restart.</p>
    ${sections.join('')}`;
}

export default { id: 'settings', title: 'Settings', mount };
