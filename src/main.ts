// Over 300 lines on purpose: the composition root is one list of short named steps (start()),
// read top to bottom as the order Argus is built; splitting it would scatter that order.
import { join, resolve } from 'node:path';
import { accessToken, tokenWhere, webUiNotice } from './access-token.js';
import { analyzerOnCamera, type AnyAnalyzer, type SwitchControl } from './analyzers/analyzer.js';
import { FrameAnalyzer } from './analyzers/frame-analyzer.js';
import { unknownLabels } from './analyzers/object/objects.js';
import { EventKinds } from './analyzers/kinds.js';
import { ANALYZERS } from './analyzers/list.js';
import { AnalysisScheduler } from './analyzers/scheduler.js';
import { EventBus } from './bus.js';
import type { LoadedConfig } from './config/load.js';
import { cameraSchema, type ArgusConfig, type CameraConfig } from './config/schema.js';
import { secureDataDir } from './data-dir.js';
import { ensureDemoClip } from './demo/demo-clip.js';
import { frigateEventKeeper } from './sources/frigate/keep-frigate-event.js';
import { EventLog } from './events/event-log.js';
import { EventManager } from './events/event-manager.js';
import { EventRetention } from './events/event-retention.js';
import { SnapshotStore } from './events/snapshot-store.js';
import type { Logger, LogRing } from './log.js';
import { Detector } from './models/detector.js';
import { liveObjectLabels } from './analyzers/live-labels.js';
import { MotionGate } from './motion/motion-gate.js';
import { HomeAssistantClient } from './outputs/homeassistant/ha-client.js';
import { resolveHaTarget } from './outputs/homeassistant/ha-target.js';
import { MqttConnection } from './outputs/mqtt/connection.js';
import { EmbeddedBroker } from './outputs/mqtt/embedded-broker.js';
import { HomeAssistantMqtt } from './outputs/mqtt/ha-mqtt.js';
import { TelegramOutput } from './outputs/telegram/telegram-output.js';
import { FaceRegistry } from './registry/face-registry.js';
import { apiRoutes } from './server/api-routes.js';
import { WebServer, type Listener, type RoutePlugin } from './server/app.js';
import { JpegCache } from './server/jpeg-cache.js';
import { FrameLinker } from './store/event-groups.js';
import { UnknownFaceStore } from './store/unknown-faces.js';
import { snapshotLinks, type SnapshotUrl } from './server/snapshot-links.js';
import { snapshotKey, SnapshotSigner } from './server/snapshot-signer.js';
import { StatsPublisher } from './outputs/mqtt/stats-publisher.js';
import { LoadHistory } from './stats/load-history.js';
import { OverloadLog } from './stats/overload.js';
import { Stats } from './stats/stats.js';
import { AnalyzerSwitchStore } from './store/analyzer-switches.js';
import { CameraSource } from './sources/camera-source.js';
import { findFfmpeg } from './sources/ffmpeg-path.js';
import { FrigateSource } from './sources/frigate/frigate-source.js';
import { openDatabase, type Db } from './store/database.js';
import { EventStore } from './store/events.js';
import { type CameraView, disabledCameraView } from './server/camera-view.js';
import { PoseLibrary } from './store/poses.js';
import { VERSION } from './version.js';

export interface Running {
  port: number;
  mqttUrl: string;
  token: string;
}

/** Something started that must be stopped, in reverse order. */
type Stop = () => Promise<void> | void;

/** The parts every step may use, built first. */
interface Core {
  config: ArgusConfig;
  log: Logger;
  dataDir: string;
  ffmpegPath: string;
  /** Every configured camera (the demo camera when none is), enabled or not. */
  cameras: Record<string, CameraConfig>;
  enabled: string[];
  db: Db;
  bus: EventBus;
  kinds: EventKinds;
  snapshots: SnapshotStore;
  eventStore: EventStore;
  /** Strangers' faces kept for the "Who is this?" page. */
  unknownFaces: UnknownFaceStore;
  poses: PoseLibrary;
  addon: boolean;
  /** Checks the signed snapshot URLs that `snapshotUrl` hands out (docs/api.md). */
  signer: SnapshotSigner;
  /** Signed snapshot links for HA, MQTT and Telegram: absolute under `server.public_url` when it is set. */
  snapshotUrl: SnapshotUrl;
  /** The live numbers; built first because models, analysis, cameras and MQTT all report into it. */
  stats: Stats;
  /** The stats sampled over the last hours, for the statistics page. */
  load: LoadHistory;
  /** Analyzers switched off per camera from the web UI. */
  analyzerSwitches: AnalyzerSwitchStore;
}

/**
 * The composition root: builds every part from the config, wires them and starts them, as a
 * list of named steps. Nothing else constructs parts; a part only knows what it is handed here.
 * Data flows one way: camera → motion gate → scheduler → analyzers → events → bus → outputs.
 */
export class Argus {
  private readonly stops: Stop[] = [];
  private readonly sources = new Map<string, CameraSource>();
  private readonly paused = new Set<string>();
  /** Frigate's source, once started: the HA image entity shows its snapshots for Frigate's events. */
  private frigate?: FrigateSource;

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly logger: Logger,
    /** The analyzers to run; tests add their own. */
    private readonly analyzers: readonly AnyAnalyzer[] = ANALYZERS,
    /** The logger's recent lines, for the log page (`argus run` keeps them; tests may not). */
    private readonly logRing?: LogRing,
  ) {}

  async start(): Promise<Running> {
    const core = await this.startCore();
    const { mqtt, mqttUrl } = await this.startMqtt(core);
    const detector = await this.loadModels(core);
    const registry = this.startRegistry(core, detector);
    // The parts come before the events (their switches are in discovery, which stops after the
    // events), so what they end reaches the events through `ended`, set once these exist.
    let ended: EventManager | undefined;
    const parts = this.startAnalyzerParts(core, registry, (camera, kind) => ended?.endKind(camera, kind));
    // Before the events, so it stops after them: the events ended at a stop reach MQTT and the states go off.
    const ha = this.startHomeAssistantMqtt(core, mqtt, registry, parts.switches);
    mqtt.online();
    const events = this.startEvents(core);
    ended = events;
    const scheduler = this.startAnalysis(core, detector, registry, events, parts.shared);
    this.startCameras(core, scheduler, events);
    this.startStats(core, mqtt, scheduler);
    const alertGate = await this.startHomeAssistant(core);
    this.startFrigate(core, mqtt, registry);
    const telegram = await this.startTelegram(core, registry, alertGate);
    const routes = [...this.routes(core, detector, registry, events, ha, telegram), ...parts.routes];
    const { port, token } = await this.startServer(core, mqtt, events, routes);
    return { port, mqttUrl, token };
  }

  private async startCore(): Promise<Core> {
    const { config } = this.loaded;
    const log = this.logger;
    const dataDir = resolve(config.data_dir);
    secureDataDir(dataDir);
    const ffmpegPath = findFfmpeg(config.ffmpeg.path);
    log.info(`Argus ${VERSION}: config from ${this.loaded.source}; data in ${dataDir}; ffmpeg ${ffmpegPath}`);
    const cameras: Record<string, CameraConfig> = { ...config.cameras };
    if (this.loaded.demo) {
      log.info('no cameras configured: running the demo camera (building its clip on first start)');
      cameras.demo = cameraSchema.parse({ url: await ensureDemoClip(dataDir, ffmpegPath) });
    }
    for (const [name, c] of Object.entries(cameras)) if (!c.enabled) log.info(`camera ${name} is disabled`);
    const enabled = Object.entries(cameras)
      .filter(([, c]) => c.enabled)
      .map(([n]) => n);
    const kinds = new EventKinds(this.analyzers, config.analyzers);
    const db = openDatabase(join(dataDir, 'argus.db'));
    this.stops.push(() => void db.close());
    const signer = new SnapshotSigner(snapshotKey(dataDir));
    const stats = new Stats({ cameras: enabled, kinds });
    const publicUrl = config.server.public_url;
    if (!publicUrl)
      log.info('server.public_url is not set: snapshot links in Home Assistant, MQTT and Telegram are relative, so a phone notification cannot show them (docs/home-assistant.md)');
    return {
      signer,
      snapshotUrl: snapshotLinks({ signer, publicUrl, ttlSeconds: config.server.snapshot_url_ttl * 3600 }),
      config,
      log,
      dataDir,
      ffmpegPath,
      cameras,
      enabled,
      db,
      bus: new EventBus((event, err) => log.error(`a ${event} listener failed: ${(err as Error).message}`)),
      kinds,
      snapshots: new SnapshotStore(join(dataDir, 'snapshots')),
      eventStore: new EventStore(db),
      unknownFaces: new UnknownFaceStore(db),
      poses: new PoseLibrary(db),
      // the newest frame is read when a sample is captured, long after the cameras started
      addon: Boolean(process.env.SUPERVISOR_TOKEN),
      stats,
      load: new LoadHistory({ report: () => stats.report() }),
      analyzerSwitches: new AnalyzerSwitchStore(db),
    };
  }

  /** The configured broker, else an embedded one so Argus runs alone. */
  private async startMqtt({ config, log }: Core): Promise<{ mqtt: MqttConnection; mqttUrl: string }> {
    let mqttUrl = config.mqtt.url;
    if (!mqttUrl) {
      const broker = new EmbeddedBroker({ port: config.mqtt.embedded_port, logger: log.child({ part: 'broker' }) });
      mqttUrl = await broker.start();
      this.stops.push(() => broker.stop());
    }
    const { user, password, base_topic: baseTopic } = config.mqtt;
    // `online` once Home Assistant's states are reset (startHomeAssistantMqtt): not a crashed run's.
    const mqtt = new MqttConnection({ url: mqttUrl, user, password, baseTopic, logger: log.child({ part: 'mqtt' }), onlineWhenReady: true });
    mqtt.start();
    this.stops.push(() => mqtt.stop());
    return { mqtt, mqttUrl };
  }

  /** Missing or broken models cost the analysis, never the cameras, the UI or MQTT. */
  private async loadModels({ stats }: Core): Promise<Detector | undefined> {
    try {
      const t0 = Date.now();
      const detector = await Detector.create({
        config: this.loaded.config.models,
        logger: this.logger.child({ part: 'models' }),
        timings: stats,
        cacheDir: join(resolve(this.loaded.config.data_dir), 'models'),
        liveLabels: liveObjectLabels(
          this.analyzers.filter((a) => Object.values(this.loaded.config.cameras).some((c) => this.analyzerConfigOn(c, a).enabled)),
          this.loaded.config.analyzers,
        ),
      });
      this.logger.info(`models loaded in ${Date.now() - t0} ms`);
      const unknown = unknownLabels(this.loaded.config.analyzers.object.labels, detector.objectLabels);
      if (unknown.length > 0 && detector.has('objects'))
        this.logger.warn(`analyzers.object.labels: no object model knows ${unknown.join(', ')} (a typo, or a head missing from models.objects.heads)`);
      this.stops.push(() => detector.close());
      return detector;
    } catch (err) {
      this.logger.error(`models not loaded, analysis is off: ${(err as Error).message}`);
      return undefined;
    }
  }

  private startRegistry({ config, db, dataDir, snapshots, bus, log }: Core, detector: Detector | undefined): FaceRegistry {
    const registry: FaceRegistry = new FaceRegistry({
      db,
      config: config.faces,
      dataDir,
      model: config.models.faces.embedder,
      models: detector,
      // An event keeps its unknown face's crop, not its embedding: embed the crop again.
      loadEventFace: async (eventId) => {
        const crop = await snapshots.load(eventId, 'crop.jpg');
        const face = crop && registry.canReadPhotos ? await registry.surestFace(crop) : undefined;
        return crop && face ? { crop, embedding: face.embedding } : undefined;
      },
      onChange: (counts) => bus.emit('facesChanged', counts),
      watchMs: 5000,
      onRenamed: (from, to) => bus.emit('personRenamed', { from, to }),
      logger: log.child({ part: 'faces' }),
    });
    registry.start();
    this.stops.push(() => registry.stop());
    return registry;
  }

  private startEvents({ config, cameras, bus, eventStore: store, unknownFaces, snapshots, kinds, dataDir, stats, log }: Core): EventManager {
    const links = new FrameLinker((event, person) => store.link(event, person));
    const events = new EventManager({
      config: config.events,
      cameras,
      bus,
      store,
      snapshots,
      colourOf: (kind) => kinds.colour(kind),
      log: new EventLog(join(dataDir, 'logs')),
      logger: log.child({ part: 'events' }),
      onMessage: (message, frameTime) => stats.eventFrame(message, frameTime),
      onDetection: (event, detection, time) => {
        links.see(event, detection, time);
        unknownFaces.keep(event, detection, config.models.faces.embedder, time);
      },
    });
    events.start();
    this.stops.push(() => events.stop());
    const retention = new EventRetention({ retain: config.events.retain, store, snapshots, activeIds: () => events.activeIds(), logger: log });
    retention.start();
    this.stops.push(() => retention.stop());
    return events;
  }

  /** Motion-gated frames → fair scheduler → analyzers → events. */
  private startAnalysis(
    core: Core,
    detector: Detector | undefined,
    registry: FaceRegistry,
    events: EventManager,
    shared: ReadonlyMap<string, unknown>,
  ): AnalysisScheduler | undefined {
    if (!detector) return undefined;
    const { config, cameras, poses, stats, log } = core;
    const analyzer = new FrameAnalyzer({
      analyzers: this.analyzers,
      models: detector,
      config: config.analyzers,
      cameras: Object.fromEntries(Object.entries(cameras).map(([n, c]) => [n, c.analyzers])),
      matchFace: (embedding) => registry.match(embedding),
      references: () => poses.list(),
      shared,
      zonesOf: (camera, box, label) => events.zonesOf(camera, box, label),
      now: () => Date.now(),
      logger: log.child({ part: 'analyzers' }),
      onIdle: (camera) => stats.idle(camera),
      switchedOff: (camera, name) => core.analyzerSwitches.isOff(camera, name),
    });
    const scheduler = new AnalysisScheduler({
      analyze: (frame, motion) => analyzer.analyze(frame, motion),
      ...(config.analyzers.under_load !== 'drop' ? { analyzeEssentials: (frame, motion, mayComplete) => analyzer.analyzeEssentials(frame, motion, mayComplete) } : {}),
      onAnalyzed: (result) => {
        stats.analyzed(result);
        events.handle(result);
      },
      concurrency: config.analyzers.concurrency,
      lightLane: config.analyzers.under_load === 'beside',
      logger: log.child({ part: 'scheduler' }),
    });
    scheduler.start();
    this.stops.push(() => scheduler.stop());
    return scheduler;
  }

  /**
   * What analyzers add beside frames (the proctor's sessions, training, routes and exam switch):
   * built here for the cameras that run each analyzer, mounted and started by the steps after.
   */
  private startAnalyzerParts(
    { db, cameras, enabled, eventStore: events, snapshotUrl, snapshots, log }: Core,
    registry: FaceRegistry,
    endEvents: (camera: string, kind: string) => void,
  ) {
    const shared = new Map<string, unknown>();
    const routes: RoutePlugin[] = [];
    const switches: Record<string, SwitchControl> = {};
    for (const analyzer of this.analyzers) {
      if (!analyzer.parts) continue;
      const on = Object.fromEntries(enabled.map((name) => [name, this.analyzerConfigOn(cameras[name], analyzer)] as const).filter(([, c]) => c.enabled));
      const parts = analyzer.parts({
        db,
        cameras: on,
        allCameras: Object.keys(cameras),
        latestFrame: (c) => this.sources.get(c)?.latest(),
        events,
        snapshotUrl,
        enrolled: () => registry.list().map((p) => p.name),
        endEvents,
        loadPicture: (eventId) => snapshots.load(eventId, 'crop.jpg'),
        logger: log.child({ analyzer: analyzer.name }),
      });
      shared.set(analyzer.name, parts.shared);
      routes.push(...(parts.routes ?? []));
      Object.assign(switches, parts.switches);
      parts.start?.();
      if (parts.stop) this.stops.push(() => parts.stop?.());
    }
    return { shared, routes, switches };
  }

  /** Discovery, states, the pause switch, people and zones. */
  private startHomeAssistantMqtt(
    { config, bus, db, enabled, cameras, kinds, snapshots, snapshotUrl, stats, log }: Core,
    mqtt: MqttConnection,
    registry: FaceRegistry,
    switches: Record<string, SwitchControl>,
  ): HomeAssistantMqtt {
    const ha = new HomeAssistantMqtt({
      mqtt,
      bus,
      db,
      cameras: enabled,
      disabled: Object.keys(cameras).filter((name) => !enabled.includes(name)),
      zones: Object.fromEntries(Object.keys(cameras).map((name) => [name, Object.keys(cameras[name].zones)])),
      cameraKinds: Object.fromEntries(Object.keys(cameras).map((name) => [name, kinds.raisedBy(this.analyzersOn(cameras[name]))])),
      frigate: Boolean(config.frigate?.url),
      people: () => registry.list().map(({ id, name, externalId }) => ({ id, name, externalId })),
      awayAfterSeconds: config.faces.away_after,
      snapshotUrl,
      kinds,
      onEventPublish: (message) => stats.mqttPublish(message),
      discoveryPrefix: config.mqtt.discovery_prefix,
      version: VERSION,
      configurationUrl: config.server.public_url,
      logger: log.child({ part: 'homeassistant' }),
      switches,
      onPause: (camera, paused) => (paused ? this.paused.add(camera) : this.paused.delete(camera)),
      // Events from Frigate keep their picture in FrigateSource, not in Argus' snapshot store.
      loadSnapshot: (event) => (event.snapshot ? snapshots.load(event.id) : Promise.resolve(this.frigate?.snapshot(event.id))),
    });
    ha.start();
    this.stops.push(() => ha.stop());
    return ha;
  }

  private startCameras({ cameras, enabled, ffmpegPath, bus, stats, log }: Core, scheduler: AnalysisScheduler | undefined, events: EventManager): void {
    for (const name of enabled) {
      const camera = cameras[name];
      const source = new CameraSource({ name, camera, ffmpegPath, logger: log, onStatus: (s) => bus.emit('cameraStatus', s) });
      const gate = new MotionGate({
        camera: name,
        frames: source.frames,
        config: camera.motion,
        logger: log,
        onMotion: (frame, motion) => {
          const paused = this.paused.has(name);
          stats.motion(name, paused);
          if (!paused) scheduler?.submit(frame, motion);
        },
        onMotionState: (moving) => bus.emit('motion', { camera: name, moving }),
        following: () => events.following(name),
      });
      this.sources.set(name, source);
      source.start();
      gate.start();
      this.stops.push(
        () => source.stop(),
        () => gate.stop(),
      );
    }
    // Status changes are pushed; fps is not, so send it now and then.
    const statusTimer = setInterval(() => {
      for (const source of this.sources.values()) bus.emit('cameraStatus', source.status());
    }, 30_000);
    this.stops.push(() => clearInterval(statusTimer));
  }

  /** The live numbers: rates sampled, events timed off the bus, the report on `argus/stats` every minute. */
  private startStats({ bus, stats, load, log }: Core, mqtt: MqttConnection, scheduler: AnalysisScheduler | undefined): void {
    stats.start({ bus, scheduler, statuses: () => [...this.sources.values()].map((s) => s.status()) });
    this.stops.push(() => stats.stop(bus));
    load.start();
    this.stops.push(() => load.stop());
    const publisher = new StatsPublisher({ mqtt, report: () => stats.report() });
    publisher.start();
    this.stops.push(() => publisher.stop());
    const overloads = new OverloadLog(() => stats.report(), log.child({ part: 'stats' }));
    overloads.start();
    this.stops.push(() => overloads.stop());
  }

  /** The HA websocket API (events per detection, the alert gate), where HA can be reached. */
  private async startHomeAssistant({ config, bus, snapshotUrl, log }: Core): Promise<(() => boolean) | undefined> {
    const { homeassistant } = config;
    const target = resolveHaTarget(homeassistant, process.env);
    if (!target) return undefined;
    const client = new HomeAssistantClient({
      url: target.url,
      token: target.token,
      logger: log.child({ part: 'homeassistant-ws' }),
      eventType: homeassistant?.event_type,
      alertGate: homeassistant?.alert_gate,
      snapshotUrl,
    });
    await client.start();
    this.stops.push(() => client.stop());
    if (homeassistant?.fire_events ?? true) {
      bus.on(client, 'event', (m) => {
        if (m.type === 'start') client.fireDetection(m.event);
      });
      this.stops.push(() => bus.removeAll(client));
    }
    return () => client.gate();
  }

  /** Frigate's own events, enriched with Argus' face recognition. */
  private startFrigate({ config, bus, log, eventStore, snapshots, kinds }: Core, mqtt: MqttConnection, registry: FaceRegistry): void {
    const { frigate } = config;
    if (!frigate?.url) return;
    let subscriber = mqtt;
    if (frigate.mqtt_url) {
      subscriber = new MqttConnection({
        url: frigate.mqtt_url,
        baseTopic: `${config.mqtt.base_topic}_frigate`,
        logger: log.child({ part: 'frigate-mqtt' }),
        availability: false, // it only listens: nothing on Frigate's broker reads an availability of it
      });
      subscriber.start();
      this.stops.push(() => subscriber.stop());
    }
    const source = new FrigateSource({
      mqtt: subscriber,
      frigateUrl: frigate.url,
      topicPrefix: frigate.topic_prefix,
      labels: frigate.labels,
      cameras: frigate.cameras.length ? frigate.cameras : undefined,
      analyzeSnapshot: async (jpeg, _camera, person) => {
        const face = registry.canReadPhotos ? await registry.surestFace(jpeg, person) : undefined;
        return face ? { name: face.match?.name ?? null, similarity: face.match?.similarity, faceBox: face.box, faceScore: face.score } : { name: null };
      },
      bus,
      logger: log.child({ part: 'frigate' }),
      snapshotAttempts: frigate.snapshot_attempts,
      retryMs: frigate.retry_interval * 1000,
      setSubLabel: frigate.set_sub_label,
      overwriteSubLabel: frigate.overwrite_sub_label,
      keep: frigateEventKeeper({ store: eventStore, snapshots, colourOf: (kind) => kinds.colour(kind) }),
      kept: (id) => eventStore.get(id),
    });
    this.frigate = source;
    source.start();
    this.stops.push(() => source.stop());
  }

  private async startTelegram(
    { config, db, bus, kinds, snapshots, snapshotUrl, eventStore, stats, log }: Core,
    registry: FaceRegistry,
    alertGate?: () => boolean,
  ): Promise<TelegramOutput | undefined> {
    const { telegram } = config;
    if (!telegram?.enabled) return undefined;
    const jpegs = new JpegCache();
    const output = new TelegramOutput({
      config: telegram,
      kinds,
      db,
      bus,
      logger: log.child({ part: 'telegram' }),
      loadSnapshot: (event) => (event.snapshot ? snapshots.load(event.id) : Promise.resolve(undefined)),
      linkedTo: (id) => eventStore.linkedTo(id),
      snapshotUrl,
      cameraStatuses: () => [...this.sources.values()].map((s) => s.status()),
      cameraLoads: () => stats.report().cameras,
      snapshotNow: async (camera) => {
        const frame = this.sources.get(camera)?.latest();
        return frame ? jpegs.jpegOf(frame) : undefined;
      },
      listPeople: () => registry.list().map((p) => ({ name: p.name, samples: p.samples })),
      enrolFromEvent: async (name, eventId) => {
        try {
          await registry.enrolFromEvent(name, eventId);
          return { ok: true };
        } catch (err) {
          return { ok: false, reason: (err as Error).message };
        }
      },
      alertGate,
    });
    await output.start();
    this.stops.push(() => output.stop());
    return output;
  }

  /** The API's route groups (src/server/api-routes.ts), from the parts built so far. */
  private routes(core: Core, detector: Detector | undefined, registry: FaceRegistry, events: EventManager, ha: HomeAssistantMqtt, telegram?: TelegramOutput): RoutePlugin[] {
    const { config, cameras, enabled } = core;
    return apiRoutes({
      ...core,
      detector,
      registry,
      pause: ha,
      telegram,
      loaded: this.loaded,
      logRing: this.logRing,
      cameraAnalyzers: Object.fromEntries(enabled.map((name) => [name, this.analyzersOn(cameras[name])])),
      cameraSchedules: Object.fromEntries(enabled.map((name) => [name, this.schedulesOn(cameras[name])])),
      analyzerNames: this.analyzers.map((a) => a.name),
      idleAnalyzers: Object.fromEntries(
        this.analyzers.flatMap((a) => {
          const why = a.idle?.(a.config.parse((config.analyzers as Record<string, unknown>)[a.name] ?? {}));
          return why ? [[a.name, why]] : [];
        }),
      ),
      people: { person: config.analyzers.person, minKeypointScore: config.analyzers.pose.min_keypoint_score },
      inView: () => events.inView(),
    });
  }

  /** The web server, last: everything it shows exists by now. */
  private async startServer(
    { config, dataDir, addon, signer, log, cameras }: Core,
    mqtt: MqttConnection,
    events: EventManager,
    routes: RoutePlugin[],
  ): Promise<{ port: number; token: string }> {
    const access = accessToken(dataDir, config.server.token);
    const { token } = access;
    const { port: mainPort, host, direct_port } = config.server;
    const listeners: Listener[] = [{ port: mainPort, host, access: addon ? 'ingress' : 'token' }];
    if (addon && direct_port) listeners.push({ port: direct_port, host, access: 'token' });
    const server = new WebServer({
      listeners,
      token,
      tokenWhere: tokenWhere(access),
      signer,
      // those turned off in the config too, so the UI and API can say so (HA keeps their devices)
      cameras: new Map<string, CameraView>([
        ...this.sources,
        ...Object.entries(cameras)
          .filter(([, c]) => !c.enabled)
          .map(([name]): [string, CameraView] => [name, disabledCameraView(name)]),
      ]),
      health: {
        version: VERSION,
        mqttConnected: () => mqtt.connected,
        cameraCount: () => this.sources.size,
        camerasConnected: () => [...this.sources.values()].filter((s) => s.status().connected).length,
        diskFull: () => events.diskFull,
      },
      logger: log,
      routes,
    });
    const [port, directPort] = await server.start();
    this.stops.push(() => server.stop());
    if (addon && !directPort) log.info('web UI: through Home Assistant ingress');
    else {
      const notice = webUiNotice(addon ? `http://<host>:${directPort}/` : `http://localhost:${port}/`, access, Boolean(process.stdout.isTTY));
      log.info(addon ? `${notice.log}; and through Home Assistant ingress` : notice.log);
      if (notice.terminal) process.stdout.write(notice.terminal);
    }
    return { port, token };
  }

  /** The analyzers a camera runs (`cameras.<name>.analyzers.<analyzer>.enabled`, each analyzer's default otherwise). */
  private analyzersOn(camera: CameraConfig): string[] {
    return this.analyzers.filter((a) => this.analyzerConfigOn(camera, a).enabled).map((a) => a.name);
  }

  /** The schedule entries of each analyzer a camera runs with one (`cameras.<name>.analyzers.<analyzer>.schedule`). */
  private schedulesOn(camera: CameraConfig): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const a of this.analyzers) {
      const schedule = (this.analyzerConfigOn(camera, a) as { schedule?: string[] }).schedule ?? [];
      if (schedule.length > 0) out[a.name] = schedule;
    }
    return out;
  }

  /** One analyzer's `cameras.<name>.analyzers.<analyzer>` options on a camera, its defaults filled in. */
  private analyzerConfigOn(camera: CameraConfig, analyzer: AnyAnalyzer) {
    const configs: Record<string, unknown> = camera.analyzers;
    const globals: Record<string, unknown> = this.loaded.config.analyzers;
    return analyzerOnCamera(analyzer, configs[analyzer.name], globals[analyzer.name]);
  }

  /** Undoes start() in reverse: no ffmpeg child outlives this, and MQTT says `offline`. */
  async stop(): Promise<void> {
    while (this.stops.length) {
      const stop = this.stops.pop()!;
      try {
        await stop();
      } catch (err) {
        this.logger.warn(`while stopping: ${(err as Error).message}`);
      }
    }
  }
}
