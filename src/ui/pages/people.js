// People: the face registry; enrol by photo, delete a person.
import { api } from '../lib/api.js';
import { $, esc, plural, showError } from '../lib/dom.js';

async function mount(root, ctx) {
  root.innerHTML = `
    <form id="enrol" class="row">
      <input name="name" placeholder="name (e.g. alice)" aria-label="name" required pattern="[^/]+">
      <input name="file" type="file" accept="image/*" aria-label="photo" required>
      <button type="submit">Add face</button>
      <span id="enrol-result" role="status"></span>
    </form>
    <div id="people" class="grid"></div>`;
  const box = $('#people', root);

  const load = async () => {
    try {
      const body = await api('api/faces');
      const people = Array.isArray(body) ? body : body.people || [];
      box.innerHTML = people.length ? people.map(card).join('') : '<p class="muted">Nobody enrolled yet: add a photo above.</p>';
    } catch (err) {
      showError(box, err);
    }
  };
  box.addEventListener('click', async (e) => {
    const name = e.target.dataset?.delete;
    if (!name || !confirm(`Delete ${name} and all their photos?`)) return;
    try {
      await api(`api/faces/${encodeURIComponent(name)}`, { method: 'DELETE' });
    } catch (err) {
      alert(err.message);
    }
    load();
  });
  $('#enrol', root).addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const name = form.get('name');
    const photo = new FormData();
    photo.append('file', form.get('file'));
    const out = $('#enrol-result', root);
    out.className = '';
    out.textContent = 'Adding…';
    try {
      await api(`api/faces/${encodeURIComponent(name)}`, { method: 'POST', body: photo });
      out.textContent = `Added a photo of ${name}.`;
      e.target.reset();
    } catch (err) {
      out.className = 'error';
      out.textContent = err.message;
    }
    load();
  });
  load();
  // The registry changed (here, from Telegram or the CLI).
  ctx.live.on('faces', load);
}

const card = (p) => `
  <div class="card person" data-person="${esc(p.name)}">
    ${p.thumbnail ? `<img src="api/${esc(p.thumbnail.replace(/^\/?(api\/)?/, ''))}" alt="">` : ''}
    <span><b>${esc(p.name)}</b><br><span class="muted">${plural(p.samples ?? p.sample_count ?? 0, 'photo')}</span></span>
    <button data-delete="${esc(p.name)}">Delete</button>
  </div>`;

export default { id: 'people', title: 'People', mount };
