import { z } from 'zod';
import type { ProctorSession, ProctorSessions } from '../../analyzers/proctor/sessions.js';
import { reportHtml } from '../../analyzers/proctor/report-html.js';
import { reportPictures } from '../../analyzers/proctor/report-pictures.js';
import { WHOLE_FRAME_SEAT } from '../../analyzers/proctor/seats.js';
import { reportCsv, sessionReport, type SessionReport } from '../../analyzers/proctor/report.js';
import type { ProctorTraining } from '../../analyzers/proctor/training.js';
import type { EventStore } from '../../store/events.js';
import type { SnapshotUrl } from '../snapshot-links.js';
import { HttpError } from '../http-error.js';
import type { ApiPlugin } from '../zod-validation.js';
import { trainingRoutes } from './proctor-training.js';

export interface ProctorRoutesDeps {
  sessions: ProctorSessions;
  /** Cameras with the proctor analyzer on (`cameras.<name>.analyzers.proctor.enabled`). */
  proctored: readonly string[];
  /** Each proctored camera's seat names (`seat` for the whole frame), for the page. */
  seats?: Readonly<Record<string, readonly string[]>>;
  /** Every configured camera, to tell "no such camera" from "not proctored". */
  cameras: readonly string[];
  /** Samples, labels and classifiers; absent: the training routes are not offered. */
  training?: ProctorTraining;
  /** Where session reports read their incidents; absent: no reports. */
  events?: EventStore;
  /** Signed snapshot links for the report (absolute with `server.public_url`); absent: the API's own paths. */
  snapshotUrl?: SnapshotUrl;
  /** An incident's picture (its clean crop), for `report.html?pictures=embed`. */
  loadPicture?: (eventId: string) => Promise<Buffer | undefined>;
}

const reportParams = z.object({ id: z.string().min(1).max(200), format: z.enum(['json', 'html', 'csv']) }).strict();
const reportQuery = z.object({ pictures: z.enum(['link', 'embed']).optional() }).strict();

const sessionBody = z
  .object({
    camera: z.string().min(1).max(64),
    action: z.enum(['start', 'stop']),
    /** What the invigilator calls the exam. */
    name: z.string().max(200).optional(),
  })
  .strict();

const json = (s: ProctorSession) => ({
  ...s,
  started_at: new Date(s.started_at).toISOString(),
  ended_at: s.ended_at === null ? null : new Date(s.ended_at).toISOString(),
});

/**
 * `/api/proctor…` (docs/proctoring.md): exam sessions. `POST /sessions {camera, action: start|stop}`
 * starts or ends one; outside a session the proctor raises nothing. `GET /sessions` lists them.
 */
export const proctorRoutes: ApiPlugin<ProctorRoutesDeps> = async (app, { sessions, proctored, cameras, seats, training, events, snapshotUrl, loadPicture }) => {
  if (training) trainingRoutes(app, training, proctored);

  // What the Proctoring page shows per camera: its seats, its session, its saved classifier.
  app.get('/cameras', async () =>
    proctored.map((camera) => {
      const running = sessions.active(camera);
      const saved = training?.store.classifier(camera);
      return {
        camera,
        seats: seats?.[camera] ?? [WHOLE_FRAME_SEAT],
        session: running ? json(running) : null,
        classifier: saved ? { k: saved.k, trained_at: new Date(saved.trained_at).toISOString(), samples: saved.samples.length } : null,
      };
    }),
  );

  if (events) {
    // The page lives at /api/proctor/sessions/<id>/report.html: a relative link climbs back to /api/.
    const link = (e: Parameters<SnapshotUrl>[0]) => {
      const url = snapshotUrl ? snapshotUrl(e) : e.snapshot;
      return url && !/^https?:\/\//.test(url) ? `../../../${url}` : url;
    };
    const send: Record<'json' | 'html' | 'csv', (r: SessionReport, embed: boolean) => Promise<[string, string | SessionReport]>> = {
      json: async (r) => ['application/json', r],
      // with the pictures in it, the page is a record that outlives Argus and its expiring links
      html: async (r, embed) => ['text/html; charset=utf-8', reportHtml(r, Date.now(), undefined, embed && loadPicture ? await reportPictures(r, loadPicture) : undefined)],
      csv: async (r) => ['text/csv; charset=utf-8', reportCsv(r)],
    };
    app.get('/sessions/:id/report.:format', { schema: { params: reportParams, querystring: reportQuery } }, async (req, reply) => {
      const { id, format } = req.params;
      const known = sessions.find(id);
      const report = sessionReport(events, id, known, link, known ? seats?.[known.camera] : undefined);
      if (!report) throw new HttpError(404, 'session_not_found', `no session "${id}" is known and no incident names it`);
      const [type, body] = await send[format](report, req.query.pictures === 'embed');
      // the page opens in the browser (and saves whole); the table downloads
      if (format === 'csv') reply.header('content-disposition', `attachment; filename="proctor-${id.replace(/[^\w.-]/g, '_')}.${format}"`);
      return reply.type(type).send(body);
    });
  }

  app.get('/sessions', async () => sessions.list().map(json));

  app.post('/sessions', { schema: { body: sessionBody } }, async (req, reply) => {
    const { camera, action, name } = req.body;
    if (!cameras.includes(camera)) throw new HttpError(404, 'camera_not_found', `no camera named "${camera}"`);
    if (!proctored.includes(camera)) {
      throw new HttpError(409, 'proctor_off', `camera "${camera}" is not proctored: set cameras.${camera}.analyzers.proctor.enabled: true`);
    }
    if (action === 'start') {
      const running = sessions.active(camera);
      return reply.code(running ? 200 : 201).send(json(sessions.start(camera, name)));
    }
    const stopped = sessions.stop(camera);
    if (!stopped) throw new HttpError(409, 'no_session', `no session is running on camera "${camera}"`);
    return json(stopped);
  });
};
