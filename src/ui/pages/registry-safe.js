// The People page's "Keep the registry safe" card: export it as one archive, import one (which
// replaces everyone, after a backup of what was there), and restore an automatic backup. The same
// as `argus faces export|import|backups|restore` and /api/faces/…, for a household without a shell.
import { api, send, upload } from '../lib/api.js';
import { $, esc, plural, when } from '../lib/dom.js';

const sizeOf = (bytes) => (bytes < 1e6 ? `${Math.max(1, Math.round(bytes / 1e3))} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

/** Who a backup holds, so the right one can be picked: names and photos, or that an older backup did not say. */
const whoIn = (people) =>
  people === null || people === undefined
    ? 'Who is in it was not recorded (an older backup).'
    : people.length === 0
      ? 'Nobody.'
      : `${plural(people.length, 'person', 'people')}: ${people.map((p) => `${p.name} (${plural(p.samples, 'photo')})`).join(', ')}.`;

/** What an import or a restore did, in words. */
const outcome = (r) =>
  `The registry now holds ${plural(r.people, 'person', 'people')} and ${plural(r.samples, 'photo')}.${r.backup ? ` What it held before is kept as the backup ${r.backup.split('/').pop()}.` : ''}`;

/** Fills `el` with the card; `onChange()` runs after an import or a restore changed the registry. */
export function mountRegistrySafe(el, onChange) {
  el.innerHTML = `
    <details class="card registry-safe">
      <summary>Export, import and backups</summary>
      <p><a href="api/faces/export" download="argus-faces.tar.gz" id="registry-export">Export the registry</a>: one
        <code>.tar.gz</code> file with everyone, to keep or to move to another Argus.</p>
      <p><label>Import an export <input type="file" id="registry-import" accept=".gz,.tgz,application/gzip"></label>
        <span class="muted">replaces everyone; what is there now is backed up first</span></p>
      <h3>Backups</h3>
      <p class="muted">Argus writes one shortly after the registry changes (<code>faces.backups.delay</code>, 10 s) and before an import or a restore, and keeps the newest (<code>faces.backups.keep</code>, 10).</p>
      <ul id="registry-backups" class="backups"><li class="muted">Loading…</li></ul>
      <p id="registry-result" role="status"></p>
    </details>`;
  const result = $('#registry-result', el);
  const say = (text, ok) => {
    result.className = ok ? 'good' : 'error';
    result.textContent = text;
  };
  const list = $('#registry-backups', el);
  const loadBackups = async () => {
    try {
      const backups = await api('api/faces/backups');
      list.innerHTML = backups.length
        ? backups
            .map(
              (b) =>
                `<li data-backup="${esc(b.file)}">${esc(when(Date.parse(b.time) / 1000))} · ${esc(sizeOf(b.bytes))} <button type="button" class="restore">Restore</button>
                  <br><span class="who muted">${esc(whoIn(b.people))}</span></li>`,
            )
            .join('')
        : '<li class="muted">None yet.</li>';
    } catch (err) {
      list.innerHTML = `<li class="error">${esc(err.message)}</li>`;
    }
  };
  $('details', el).addEventListener('toggle', (e) => e.target.open && loadBackups());

  const input = $('#registry-import', el);
  input.addEventListener('change', async () => {
    const [file] = input.files;
    if (!file) return;
    if (!confirm(`Replace the whole registry with ${file.name}? What is there now is backed up first.`)) {
      input.value = '';
      return;
    }
    const form = new FormData();
    form.append('file', file, file.name);
    say('Importing…', true);
    try {
      say(outcome(await upload('api/faces/import', form)), true);
      onChange();
      loadBackups();
    } catch (err) {
      say(err.message, false);
    }
    input.value = '';
  });

  list.addEventListener('click', async (e) => {
    const button = e.target.closest('button.restore');
    if (!button) return;
    const row = button.closest('[data-backup]');
    const file = row.dataset.backup;
    const who = $('.who', row)?.textContent ?? '';
    if (!confirm(`Replace the whole registry with the backup ${file} (${who.replace(/\.$/, '')})? What is there now is backed up first.`)) return;
    button.disabled = true;
    try {
      say(outcome(await send('POST', `api/faces/backups/${encodeURIComponent(file)}/restore`)), true);
      onChange();
      loadBackups();
    } catch (err) {
      say(err.message, false);
      button.disabled = false;
    }
  });
}
