import { route } from '../../server/app.js';
import { proctorRoutes } from '../../server/routes/proctor.js';
import { ProctorSampleStore } from '../../store/proctor-samples.js';
import { ProctorSessionStore } from '../../store/proctor-sessions.js';
import type { AnalyzerParts, PartsContext } from '../analyzer.js';
import { WHOLE_FRAME_SEAT } from './seats.js';
import { SessionSchedule } from './session-schedule.js';
import { ProctorSessions } from './sessions.js';
import { ProctorTraining } from './training.js';

/** What every proctored camera shares: the exam sessions and the training. */
export interface ProctorShared {
  sessions: ProctorSessions;
  training: ProctorTraining;
}

/**
 * The proctor beside frames: exam sessions (the API, the HA switch and each camera's `sessions`
 * windows start and stop them), labelled samples and classifiers, and the /api/proctor routes.
 */
export function proctorParts(context: PartsContext): AnalyzerParts & { shared: ProctorShared } {
  const { cameras, db, events, snapshotUrl, allCameras, latestFrame, enrolled, endEvents, loadPicture, logger } = context;
  // kept in SQLite: a session running when Argus stopped runs again
  const sessions = new ProctorSessions(Date.now, 100, new ProctorSessionStore(db));
  // A session resumed on a camera that is no longer proctored could never be stopped: end it now.
  for (const s of sessions.list()) {
    if (s.ended_at !== null || s.camera in cameras) continue;
    sessions.stop(s.camera);
    logger.info(`exam session ${s.id} on camera ${s.camera} ended: the camera is no longer proctored`);
  }
  const training = new ProctorTraining(new ProctorSampleStore(db), latestFrame);
  const windows = Object.fromEntries(Object.entries(cameras).map(([name, c]) => [name, (c.sessions as string[] | undefined) ?? []]));
  const schedule = new SessionSchedule({ sessions, windows });
  const seats = Object.fromEntries(Object.entries(cameras).map(([name, c]) => [name, seatNames(c.seats)]));
  // A candidate nobody enrolled can never be recognised: every face in their seat would be `not_candidate`.
  const checkCandidates = (camera: string) => {
    if (!enrolled) return;
    const people = new Set(enrolled());
    for (const seat of (cameras[camera]?.seats as Array<{ name: string; candidate?: string }> | undefined) ?? []) {
      if (seat.candidate && !people.has(seat.candidate))
        logger.warn(
          `camera ${camera}, seat ${seat.name}: its candidate "${seat.candidate}" is not enrolled in the face registry, so every face there will be not_candidate; enrol them (People page) or fix the name`,
        );
    }
  };
  sessions.onChange((camera) => {
    // Started or ended from the UI, the API, Home Assistant or the schedule: the log keeps the record.
    const running = sessions.active(camera);
    if (running) logger.info(`exam session ${running.id}${running.name ? ` ("${running.name}")` : ''} started on ${camera}`);
    else logger.info(`exam session on ${camera} ended`);
    if (running) checkCandidates(camera);
    // Incidents end with the session, as the report says: not end_after seconds later (HA's sensor stayed ON).
    else endEvents?.(camera, 'suspicious');
  });
  return {
    shared: { sessions, training },
    routes: [route(proctorRoutes, '/api/proctor', { sessions, seats, training, events, snapshotUrl, loadPicture, cameras: allCameras, proctored: Object.keys(cameras) })],
    switches: { exam_session: sessions.switchControl('Home Assistant') },
    start: () => {
      for (const camera of Object.keys(cameras)) checkCandidates(camera);
      schedule.start();
    },
    stop: () => schedule.stop(),
  };
}

/** A camera's seat names as configured; none configured: the whole frame. */
function seatNames(seats: unknown): string[] {
  const names = Array.isArray(seats) ? seats.map((s: { name?: unknown }) => String(s.name)) : [];
  return names.length > 0 ? names : [WHOLE_FRAME_SEAT];
}
