import type { FastifyInstance } from 'fastify';
import type { CameraView } from '../camera-view.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A valid ingress prefix is a plain path; anything else is ignored rather than echoed into HTML. */
export function ingressBase(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^\/[A-Za-z0-9_\-/.]*$/.test(value) ? `${value.replace(/\/$/, '')}/` : './';
}

/**
 * The placeholder page: every camera live, with its status. All URLs are relative (and a
 * <base> follows X-Ingress-Path) so it works the same at / and behind Home Assistant ingress.
 */
export function pageRoutes(app: FastifyInstance, cameras: Map<string, CameraView>): void {
  app.get('/', async (req, reply) => {
    const base = ingressBase(req.headers['x-ingress-path']);
    const cards = [...cameras.keys()]
      .map((name) => {
        const n = escape(name);
        return `<figure data-camera="${n}">
  <img src="api/cameras/${n}/stream.mjpeg" alt="live view of ${n}" width="640">
  <figcaption><b>${n}</b> · <span class="status">…</span> ·
    <a href="api/cameras/${n}/snapshot.jpg">snapshot</a> · <a href="api/cameras/${n}/stream.mjpeg">live</a></figcaption>
</figure>`;
      })
      .join('\n');
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Argus</title><base href="${escape(base)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;margin:1rem;background:#111;color:#eee}a{color:#8cf}
figure{display:inline-block;margin:0 1rem 1rem 0}img{max-width:100%;background:#222;display:block}</style></head>
<body><h1>Argus</h1>
<p><a href="api/health">health</a> · <a href="api/cameras">cameras (JSON)</a></p>
${cards || '<p>No cameras configured.</p>'}
<script>
async function refresh() {
  try {
    const list = await (await fetch('api/cameras')).json();
    for (const s of list) {
      const el = document.querySelector('figure[data-camera="' + CSS.escape(s.name) + '"] .status');
      if (el) el.textContent = s.connected ? (s.fps.toFixed(1) + ' fps') : ('offline: ' + (s.lastError || 'connecting…'));
    }
  } catch {}
}
refresh(); setInterval(refresh, 2000);
</script></body></html>`;
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
