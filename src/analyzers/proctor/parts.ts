import { route } from '../../server/app.js';
import { proctorRoutes } from '../../server/routes/proctor.js';
import { ProctorSampleStore } from '../../store/proctor-samples.js';
import type { AnalyzerParts, PartsContext, SessionsView } from '../analyzer.js';
import { SessionSchedule } from './session-schedule.js';
import { ProctorSessions } from './sessions.js';
import { ProctorTraining } from './training.js';

/** What every proctored camera shares: the exam sessions and the training. */
export interface ProctorShared {
  sessions: SessionsView;
  training: ProctorTraining;
}

/**
 * The proctor beside frames: exam sessions (the API, the HA switch and each camera's `sessions`
 * windows start and stop them), labelled samples and classifiers, and the /api/proctor routes.
 */
export function proctorParts(context: PartsContext): AnalyzerParts & { shared: ProctorShared } {
  const { cameras, db, events, snapshotUrl, allCameras, latestFrame } = context;
  const sessions = new ProctorSessions();
  const training = new ProctorTraining(new ProctorSampleStore(db), latestFrame);
  const windows = Object.fromEntries(Object.entries(cameras).map(([name, c]) => [name, (c.sessions as string[] | undefined) ?? []]));
  const schedule = new SessionSchedule({ sessions, windows });
  return {
    shared: { sessions, training },
    routes: [route(proctorRoutes, '/api/proctor', { sessions, training, events, snapshotUrl, cameras: allCameras, proctored: Object.keys(cameras) })],
    switches: { exam_session: sessions.switchControl('Home Assistant') },
    start: () => schedule.start(),
    stop: () => schedule.stop(),
  };
}
