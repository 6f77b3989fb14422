import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { HttpError } from '../http-error.js';
import type { ApiPlugin } from '../zod-validation.js';

const require = createRequire(import.meta.url);

/** Libraries the UI loads, from node_modules (production dependencies, so the add-on image has them): name → files it may serve. */
const VENDORED: Record<string, { dir: string; files: Record<string, string> }> = {
  uplot: {
    dir: dirname(require.resolve('uplot')),
    files: { 'uPlot.esm.js': 'text/javascript; charset=utf-8', 'uPlot.min.css': 'text/css; charset=utf-8' },
  },
};

const params = z.object({ lib: z.string().max(32), file: z.string().max(64) });

/** `GET /ui/vendor/<lib>/<file>`: a chart library served locally (no CDN: ingress, offline). Read once, kept. */
export const vendorRoutes: ApiPlugin<Record<never, never>> = async (app) => {
  const cache = new Map<string, Buffer>();
  app.get('/:lib/:file', { schema: { params } }, async (req, reply) => {
    const { lib, file } = req.params;
    // Own keys only: `__proto__` or `constructor` are a 404, not a lookup on Object's prototype (a 500).
    const entry = Object.hasOwn(VENDORED, lib) ? VENDORED[lib] : undefined;
    const type = entry && Object.hasOwn(entry.files, file) ? entry.files[file] : undefined;
    if (!type) throw new HttpError(404, 'not_found', `no vendored file ${lib}/${file}`);
    const key = `${lib}/${file}`;
    if (!cache.has(key)) cache.set(key, readFileSync(join(VENDORED[lib].dir, file)));
    return reply.type(type).header('cache-control', 'max-age=86400').send(cache.get(key));
  });
};
