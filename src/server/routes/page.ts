import fastifyStatic from '@fastify/static';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiPlugin } from '../zod-validation.js';

/** The UI's static files: src/ui beside the sources, dist/ui (copied by `npm run build`) beside the build. */
export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The Supervisor's ingress prefix is always `/api/hassio_ingress/<token>`; anything else is
 * ignored rather than echoed into HTML (`//evil.example` made a <base> on another host: issue 17).
 */
const INGRESS_PATH = /^\/api\/hassio_ingress\/[A-Za-z0-9_-]{1,256}\/?$/;

export function ingressBase(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && INGRESS_PATH.test(value) ? `${value.replace(/\/$/, '')}/` : './';
}

/**
 * The UI: index.html with a <base> that follows X-Ingress-Path, and its static files under ui/.
 * All URLs in it are relative, so it works the same at / and behind Home Assistant ingress.
 */
export const pageRoutes: ApiPlugin<Record<never, never>> = async (app) => {
  const index = readFileSync(`${UI_DIR}index.html`, 'utf8');
  await app.register(fastifyStatic, { root: UI_DIR, prefix: '/ui/', index: false, wildcard: true, cacheControl: false });
  app.get('/', async (req, reply) => {
    const base = ingressBase(req.headers['x-ingress-path']);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(index.replace('<!--BASE-->', `<base href="${escapeHtml(base)}">`));
  });
};
