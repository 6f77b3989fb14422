// Analyze a photo: drop one, see the boxes, names and confidences Argus finds in it.
import { api } from '../lib/api.js';
import { $, esc, percent } from '../lib/dom.js';

function mount(root) {
  root.innerHTML = `
    <div id="drop">
      <p>Drop a photo here, or <label class="link">choose one<input id="pick" type="file" accept="image/*" hidden></label>.</p>
      <p class="muted">JPEG, PNG or WebP (10 MB at most by default).</p>
    </div>
    <p id="analyze-error" class="error" role="alert" hidden></p>
    <div id="analyze-result" hidden>
      <canvas id="analyze-canvas"></canvas>
      <ul id="analyze-list"></ul>
    </div>`;
  const drop = $('#drop', root);
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (file) analyze(root, file);
  });
  $('#pick', root).addEventListener('change', (e) => {
    if (e.target.files[0]) analyze(root, e.target.files[0]);
  });
}

async function analyze(root, file) {
  const error = $('#analyze-error', root);
  const result = $('#analyze-result', root);
  error.hidden = true;
  result.hidden = true;
  const fail = (message) => {
    error.textContent = message;
    error.hidden = false;
  };
  if (!file.type.startsWith('image/')) return fail(`${file.name} is not an image.`);
  // The size limit is the server's (server.max_upload_mb): its 413 names it.
  const photo = new FormData();
  photo.append('file', file);
  let body;
  try {
    body = await api('api/analyze', { method: 'POST', body: photo });
  } catch (err) {
    return fail(err.message);
  }
  const bitmap = await createImageBitmap(file);
  const canvas = $('#analyze-canvas', root);
  canvas.width = body.width;
  canvas.height = body.height;
  const g = canvas.getContext('2d');
  g.drawImage(bitmap, 0, 0, body.width, body.height);
  g.lineWidth = Math.max(2, body.width / 400);
  g.font = `${Math.max(14, body.width / 60)}px system-ui`;
  const items = [];
  const draw = (box, colour, text) => {
    g.strokeStyle = colour;
    g.strokeRect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
    g.fillStyle = colour;
    g.fillText(text, box[0] + 4, Math.max(16, box[1] - 6));
  };
  for (const o of body.objects) {
    const text = `${o.label} ${percent(o.score)}`;
    draw(o.box, '#4f4', text);
    items.push(text);
  }
  for (const f of body.faces) {
    const who = f.name ? `${f.name} (${percent(f.similarity)} similar)` : 'unknown face';
    draw(f.box, '#fc4', `${who} ${percent(f.score)}`);
    items.push(`face: ${who}, ${percent(f.score)} confidence`);
  }
  for (const p of body.poses) items.push(`pose: ${percent(p.score)} confidence`);
  $('#analyze-list', root).innerHTML = items.length ? items.map((t) => `<li>${esc(t)}</li>`).join('') : '<li>Nothing found.</li>';
  result.hidden = false;
}

export default { id: 'analyze', title: 'Analyze', mount };
