import { join } from 'node:path';
import type { EventKinds } from '../analyzers/kinds.js';
import type { EventBus } from '../bus.js';
import type { LoadedConfig } from '../config/load.js';
import type { ArgusConfig } from '../config/schema.js';
import type { SnapshotStore } from '../events/snapshot-store.js';
import type { LogRing } from '../log.js';
import type { Detector } from '../models/detector.js';
import type { TelegramOutput } from '../outputs/telegram/telegram-output.js';
import type { FaceRegistry } from '../registry/face-registry.js';
import type { LoadHistory } from '../stats/load-history.js';
import type { Stats } from '../stats/stats.js';
import type { AnalyzerSwitchStore } from '../store/analyzer-switches.js';
import type { Db } from '../store/database.js';
import type { EventStore } from '../store/events.js';
import type { PoseLibrary } from '../store/poses.js';
import type { UnknownFaceStore } from '../store/unknown-faces.js';
import { route, type RoutePlugin } from './app.js';
import { analyzeRoutes, type AnalyzeDeps } from './routes/analyze.js';
import { analyzeClipRoutes } from './routes/analyze-clip.js';
import { cameraControlRoutes, type CameraControlDeps } from './routes/camera-control.js';
import { configRoutes } from './routes/config.js';
import { eventRoutes } from './routes/events.js';
import { faceRoutes } from './routes/faces.js';
import { liveRoutes } from './routes/live.js';
import { nowRoutes, type NowRoutesDeps } from './routes/now.js';
import { logRoutes } from './routes/logs.js';
import { peopleRoutes } from './routes/people.js';
import { poseRoutes } from './routes/poses.js';
import { statsRoutes } from './routes/stats.js';
import { statsHistoryRoutes } from './routes/stats-history.js';
import { telegramRoutes } from './routes/telegram.js';
import { unknownFaceRoutes } from './routes/unknown-faces.js';
import { vendorRoutes } from './routes/vendor.js';

/** What the API's route groups are built from: the parts main.ts started before the web server. */
export interface ApiRouteDeps {
  config: ArgusConfig;
  loaded: Pick<LoadedConfig, 'source' | 'secrets' | 'demo'>;
  dataDir: string;
  ffmpegPath: string;
  db: Db;
  bus: EventBus;
  kinds: EventKinds;
  eventStore: EventStore;
  unknownFaces: UnknownFaceStore;
  snapshots: SnapshotStore;
  poses: PoseLibrary;
  stats: Stats;
  load: LoadHistory;
  analyzerSwitches: AnalyzerSwitchStore;
  logRing?: LogRing;
  /** Undefined when the models did not load: analysis routes answer that they are off. */
  detector: Detector | undefined;
  registry: FaceRegistry;
  /** The HA switch behind a camera's pause. */
  pause: CameraControlDeps['pause'];
  telegram?: TelegramOutput;
  /** Per enabled camera, the analyzers its config turns on. */
  cameraAnalyzers: Record<string, string[]>;
  /** Per camera, the schedule entries of its analyzers that have some. */
  cameraSchedules?: Record<string, Record<string, string[]>>;
  analyzerNames: string[];
  /** Why an analyzer's options leave it idle everywhere, by name (`Analyzer.idle`). */
  idleAnalyzers?: Record<string, string>;
  /** Who counts as a person in an analysed upload (as in live analysis). */
  people: AnalyzeDeps['people'];
  /** What each camera sees now (the event manager's open events in view). */
  inView: NowRoutesDeps['inView'];
}

/** The API's route groups, each at its prefix with the services it needs (docs/api.md). */
export function apiRoutes(d: ApiRouteDeps): RoutePlugin[] {
  const { config, detector, registry } = d;
  const maxUploadBytes = Math.round(config.server.max_upload_mb * 1024 * 1024);
  const matchFace = (e: Float32Array) => registry.match(e);
  const logDir = join(d.dataDir, 'logs');
  const logRing = d.logRing;
  const routes: RoutePlugin[] = [
    route(analyzeRoutes, '/api/analyze', { detector: () => detector, matchFace, maxUploadBytes, people: d.people, weapons: config.analyzers.weapon }),
    route(analyzeClipRoutes, '/api/analyze/clip', { detector: () => detector, matchFace, ffmpegPath: d.ffmpegPath, people: d.people, weapons: config.analyzers.weapon }),
    route(statsHistoryRoutes, '/api/stats', { db: d.db, load: () => d.load.samples() }),
    route(logRoutes, '/api/logs', { recent: logRing && ((level, limit) => logRing.recent(level, limit)), eventLogDir: logDir }),
    route(configRoutes, '/api/config', { config, source: d.loaded.source, secrets: d.loaded.secrets, demo: d.loaded.demo }),
    route(cameraControlRoutes, '/api/cameras', {
      cameras: Object.fromEntries(Object.entries(d.cameraAnalyzers).map(([name, analyzers]) => [name, { analyzers, schedules: d.cameraSchedules?.[name] }])),
      analyzers: d.analyzerNames,
      idle: d.idleAnalyzers,
      pause: d.pause,
      switches: d.analyzerSwitches,
      ffmpegPath: d.ffmpegPath,
    }),
    route(vendorRoutes, '/ui/vendor', {}),
    route(eventRoutes, '/api/events', { store: d.eventStore, snapshots: d.snapshots, kinds: d.kinds.names, logDir, onDelete: (id) => d.unknownFaces.removeEvent(id) }),
    route(faceRoutes, '/api/faces', { registry }),
    route(unknownFaceRoutes, '/api/unknown-faces', { store: d.unknownFaces, registry, model: config.models.faces.embedder }),
    route(peopleRoutes, '/api/people', { registry, events: d.eventStore }),
    route(liveRoutes, '/api/live', { bus: d.bus }),
    route(nowRoutes, '/api/now', { cameras: Object.keys(d.cameraAnalyzers), inView: d.inView }),
    route(statsRoutes, '/api/stats', { report: (since) => d.stats.report(since) }),
  ];
  if (detector) {
    routes.push(
      route(poseRoutes, '/api/poses', {
        detector,
        library: d.poses,
        model: config.models.pose.model,
        config: config.analyzers.pose,
        now: () => Date.now(),
        maxUploadBytes,
      }),
    );
  }
  if (d.telegram) routes.push(route(telegramRoutes, '/api/telegram', { webhook: d.telegram.webhookHandler() }));
  return routes;
}
