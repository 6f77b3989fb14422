import { z } from 'zod';
import type { ProctorSession, ProctorSessions } from '../../analyzers/proctor/sessions.js';
import type { ProctorTraining } from '../../analyzers/proctor/training.js';
import { HttpError } from '../http-error.js';
import type { ApiPlugin } from '../zod-validation.js';
import { trainingRoutes } from './proctor-training.js';

export interface ProctorRoutesDeps {
  sessions: ProctorSessions;
  /** Cameras with the proctor analyzer on (`cameras.<name>.analyzers.proctor.enabled`). */
  proctored: readonly string[];
  /** Every configured camera, to tell "no such camera" from "not proctored". */
  cameras: readonly string[];
  /** Samples, labels and classifiers; absent: the training routes are not offered. */
  training?: ProctorTraining;
}

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
export const proctorRoutes: ApiPlugin<ProctorRoutesDeps> = async (app, { sessions, proctored, cameras, training }) => {
  if (training) trainingRoutes(app, training, proctored);

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
