import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevelName, type LogLine } from '../../log.js';
import { HttpError } from '../http-error.js';
import type { ApiPlugin } from '../zod-validation.js';

export interface LogRouteDeps {
  /** The last lines the logger wrote, already redacted (LogRing.recent); absent when Argus runs without a ring. */
  recent?: (minLevel: number, limit: number) => LogLine[];
  /** `<data>/logs`: the daily event logs (EventLog). */
  eventLogDir: string;
}

const levels = Object.keys(LOG_LEVELS) as [LogLevelName, ...LogLevelName[]];
const recentQuery = z.object({ level: z.enum(levels).default('info'), limit: z.coerce.number().int().min(1).max(1000).default(500) }).strict();
/** Only the names EventLog writes: nothing else in the folder, and no path can be built from it. */
const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.jsonl$/;
const dayParams = z.object({ file: z.string().regex(DAY_FILE, 'a day\u2019s file name such as 2026-12-03.jsonl') });

/**
 * `/api/logs…`: the recent log lines at a level or above, and the daily event logs (one JSON
 * object a line, `<data>/logs/YYYY-MM-DD.jsonl`) listed and downloaded.
 */
export const logRoutes: ApiPlugin<LogRouteDeps> = async (app, { recent, eventLogDir }) => {
  app.get('/', { schema: { querystring: recentQuery } }, async (req, reply) => {
    if (!recent) throw new HttpError(503, 'no_log_ring', 'recent log lines are not kept in this process (they are on its standard output)');
    return reply.header('cache-control', 'no-store').send({ level: req.query.level, lines: recent(LOG_LEVELS[req.query.level], req.query.limit) });
  });

  app.get('/events', async (_req, reply) => {
    const names = await readdir(eventLogDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const days = [];
    for (const name of names
      .filter((n) => DAY_FILE.test(n))
      .sort()
      .reverse()) {
      const s = await stat(join(eventLogDir, name));
      days.push({ file: name, day: name.slice(0, 10), bytes: s.size, modified: Math.round(s.mtimeMs / 1000) });
    }
    return reply.header('cache-control', 'no-store').send({ days });
  });

  app.get('/events/:file', { schema: { params: dayParams } }, async (req, reply) => {
    const path = join(eventLogDir, req.params.file);
    const s = await stat(path).catch(() => undefined);
    if (!s?.isFile()) throw new HttpError(404, 'log_not_found', `no event log ${req.params.file}: nothing happened that day, or retention removed it`);
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-length', String(s.size))
      .header('content-disposition', `attachment; filename="argus-events-${req.params.file}"`)
      .send(createReadStream(path));
  });
};
