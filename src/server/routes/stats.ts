import { z } from 'zod';
import type { StatsReport } from '../../stats/report.js';
import type { ApiPlugin } from '../zod-validation.js';

/** `since`: ms since the epoch (a report's own `time`), so a reader can leave a warm-up or an earlier setting out. */
const statsQuery = z.object({ since: z.coerce.number().int().nonnegative().optional() }).strict();

/** `GET /api/stats`: the live numbers (docs/api.md); a failure answers `{error, code}` through the app's error handler. */
export const statsRoutes: ApiPlugin<{ report: (since?: number) => StatsReport }> = async (app, { report }) => {
  app.get('/', { schema: { querystring: statsQuery } }, async (req, reply) => reply.header('cache-control', 'no-store').send(report(req.query.since)));
};
