import type { StatsReport } from '../../stats/report.js';
import type { ApiPlugin } from '../zod-validation.js';

/** `GET /api/stats`: the live numbers (docs/api.md); a failure answers `{error, code}` through the app's error handler. */
export const statsRoutes: ApiPlugin<{ report: () => StatsReport }> = async (app, { report }) => {
  app.get('/', async (_req, reply) => reply.header('cache-control', 'no-store').send(report()));
};
