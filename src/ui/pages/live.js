// Live: every camera's MJPEG stream with its status in words.
import { api } from '../lib/api.js';
import { $, esc, showError } from '../lib/dom.js';

async function mount(root, ctx) {
  root.innerHTML = '<div id="cameras" class="grid"><p class="muted">Loading cameras…</p></div>';
  const box = $('#cameras', root);
  let list;
  try {
    list = await api('api/cameras');
  } catch (err) {
    return showError(box, err);
  }
  if (!list.length) {
    box.innerHTML = '<p class="muted">No cameras configured.</p>';
    return;
  }
  box.innerHTML = list
    .map(
      (c) => `
    <figure class="card" data-camera="${esc(c.name)}">
      <img src="api/cameras/${encodeURIComponent(c.name)}/stream.mjpeg" alt="live view of ${esc(c.name)}" width="640">
      <figcaption><b>${esc(c.name)}</b> · <span class="status"></span> ·
        <a href="api/cameras/${encodeURIComponent(c.name)}/snapshot.jpg" target="_blank">snapshot</a></figcaption>
    </figure>`,
    )
    .join('');
  const refresh = async () => {
    const statuses = await api('api/cameras').catch(() => []);
    for (const s of statuses) {
      const el = $(`figure[data-camera="${CSS.escape(s.name)}"] .status`, root);
      if (el) el.textContent = s.connected ? `${s.fps.toFixed(1)} fps` : `offline: ${s.lastError || 'connecting…'}`;
    }
  };
  refresh();
  ctx.every(3000, refresh);
  // The streams stop when the page is left: an <img> keeps its MJPEG connection open otherwise.
  return () => {
    for (const img of root.querySelectorAll('img')) img.src = '';
  };
}

export default { id: 'live', title: 'Live', mount };
