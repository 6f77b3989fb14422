import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { accessToken } from './access-token.js';
import { AnalysisScheduler } from './analyzers/scheduler.js';
import { FrameAnalyzer } from './analyzers/frame-analyzer.js';
import { EventBus } from './bus.js';
import type { LoadedConfig } from './config/load.js';
import { cameraSchema, type CameraConfig } from './config/schema.js';
import { ensureDemoClip } from './demo/demo-clip.js';
import { EventLog } from './events/event-log.js';
import { EventManager } from './events/event-manager.js';
import { EventRetention } from './events/event-retention.js';
import { SnapshotStore } from './events/snapshot-store.js';
import type { Logger } from './log.js';
import { Detector } from './models/detector.js';
import { MotionGate } from './motion/motion-gate.js';
import { HomeAssistantClient } from './outputs/homeassistant/ha-client.js';
import { resolveHaTarget } from './outputs/homeassistant/ha-target.js';
import { MqttConnection } from './outputs/mqtt/connection.js';
import { EmbeddedBroker } from './outputs/mqtt/embedded-broker.js';
import { HomeAssistantMqtt } from './outputs/mqtt/ha-mqtt.js';
import { TelegramOutput } from './outputs/telegram/telegram-output.js';
import { FaceRegistry } from './registry/face-registry.js';
import { WebServer, route, type Listener, type RoutePlugin } from './server/app.js';
import { JpegCache } from './server/jpeg-cache.js';
import { analyzeRoutes } from './server/routes/analyze.js';
import { eventRoutes } from './server/routes/events.js';
import { faceRoutes } from './server/routes/faces.js';
import { liveRoutes } from './server/routes/live.js';
import { poseRoutes } from './server/routes/poses.js';
import { telegramRoutes } from './server/routes/telegram.js';
import { CameraSource } from './sources/camera-source.js';
import { findFfmpeg } from './sources/ffmpeg-path.js';
import { FrigateSource } from './sources/frigate/frigate-source.js';
import { openDatabase, type Db } from './store/database.js';
import { EventStore } from './store/events.js';
import { PoseLibrary } from './store/poses.js';
import { loadImage } from './vision/image.js';
import { VERSION } from './version.js';

export interface Running {
  port: number;
  mqttUrl: string;
  token: string;
}

/** Something started that must be stopped, in reverse order. */
type Stop = () => Promise<void> | void;

/**
 * The composition root: builds every part from the config, wires them and starts them.
 * Nothing else constructs parts; a part only knows the callbacks it is handed here.
 * Data flows one way: camera → motion gate → scheduler → analyzers → events → bus → outputs.
 */
export class Argus {
  private readonly stops: Stop[] = [];
  private readonly sources = new Map<string, CameraSource>();
  private readonly paused = new Set<string>();
  private detector?: Detector;

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<Running> {
    const { config } = this.loaded;
    const log = this.logger;
    const dataDir = resolve(config.data_dir);
    mkdirSync(dataDir, { recursive: true });
    const ffmpegPath = findFfmpeg(config.ffmpeg.path);
    log.info(`Argus ${VERSION}: config from ${this.loaded.source}; data in ${dataDir}; ffmpeg ${ffmpegPath}`);
    const addon = Boolean(process.env.SUPERVISOR_TOKEN);

    const cameras: Record<string, CameraConfig> = { ...config.cameras };
    if (this.loaded.demo) {
      log.info('no cameras configured: running the demo camera (building its clip on first start)');
      cameras.demo = cameraSchema.parse({ url: await ensureDemoClip(dataDir, ffmpegPath) });
    }
    const enabled = Object.entries(cameras).filter(([, c]) => c.enabled);
    for (const [name, c] of Object.entries(cameras)) if (!c.enabled) log.info(`camera ${name} is disabled`);

    const db = openDatabase(join(dataDir, 'argus.db'));
    this.stops.push(() => void db.close());
    const bus = new EventBus((event, err) => log.error(`a ${event} listener failed: ${(err as Error).message}`));

    // MQTT: the configured broker, else an embedded one so Argus runs alone.
    let mqttUrl = config.mqtt.url;
    if (!mqttUrl) {
      const broker = new EmbeddedBroker({ port: config.mqtt.embedded_port, logger: log.child({ part: 'broker' }) });
      mqttUrl = await broker.start();
      this.stops.push(() => broker.stop());
    }
    const base = config.mqtt.base_topic;
    const mqtt = new MqttConnection({ url: mqttUrl, user: config.mqtt.user, password: config.mqtt.password, baseTopic: base, logger: log.child({ part: 'mqtt' }) });
    mqtt.start();
    this.stops.push(() => mqtt.stop());
    // Runs after the cameras stopped and before MQTT closes: HA sees each camera go down.
    this.stops.push(() => {
      for (const name of this.sources.keys()) mqtt.publish(`${base}/${name}/available`, 'offline', { retain: true, qos: 1 });
    });

    // Models, registry, events.
    const detector = await this.loadModels();
    this.detector = detector;
    this.stops.push(() => detector?.close());
    const snapshots = new SnapshotStore(join(dataDir, 'snapshots'));
    const eventStore = new EventStore(db);
    const registry = new FaceRegistry({
      db,
      config: config.faces,
      dataDir,
      model: config.models.faces.embedder,
      models: detector,
      loadEventFace: (id) => this.eventFace(snapshots, id),
      onChange: (counts) => bus.emit('facesChanged', counts),
      logger: log.child({ part: 'faces' }),
    });
    registry.start();
    this.stops.push(() => registry.stop());
    const poses = new PoseLibrary(db);
    const events = new EventManager({
      config: config.events,
      cameras,
      bus,
      store: eventStore,
      snapshots,
      log: new EventLog(join(dataDir, 'logs')),
      logger: log.child({ part: 'events' }),
    });
    events.start();
    this.stops.push(() => events.stop());
    const retention = new EventRetention({ retain: config.events.retain, store: eventStore, snapshots, activeIds: () => events.activeIds(), logger: log });
    retention.start();
    this.stops.push(() => retention.stop());

    // Analysis: motion-gated frames → fair scheduler → analyzers → events.
    let scheduler: AnalysisScheduler | undefined;
    if (detector) {
      const analyzer = new FrameAnalyzer({
        detector,
        config: config.analyzers,
        cameras: Object.fromEntries(Object.entries(cameras).map(([n, c]) => [n, c.analyzers])),
        matchFace: (embedding) => registry.match(embedding),
        references: () => poses.list(),
        zonesOf: (camera, box, label) => events.zonesOf(camera, box, label),
        now: () => Date.now(),
        logger: log.child({ part: 'analyzers' }),
      });
      const s = new AnalysisScheduler({
        analyse: (frame, motion) => analyzer.analyse(frame, motion),
        onAnalysed: (result) => events.handle(result),
        concurrency: config.analyzers.concurrency,
        logger: log.child({ part: 'scheduler' }),
      });
      s.start();
      this.stops.push(() => s.stop());
      scheduler = s;
    }

    // Home Assistant over MQTT: discovery, states, the pause switch.
    const ha = new HomeAssistantMqtt({
      mqtt,
      bus,
      db,
      cameras: enabled.map(([n]) => n),
      baseTopic: base,
      discoveryPrefix: config.mqtt.discovery_prefix,
      version: VERSION,
      logger: log.child({ part: 'homeassistant' }),
      onPause: (camera, paused) => (paused ? this.paused.add(camera) : this.paused.delete(camera)),
      loadSnapshot: (event) => (event.snapshot ? snapshots.load(event.id) : Promise.resolve(undefined)),
    });
    ha.start();
    this.stops.push(() => ha.stop());

    // Cameras.
    for (const [name, camera] of enabled) {
      const source = new CameraSource({ name, camera, ffmpegPath, logger: log, onStatus: (s) => bus.emit('cameraStatus', s) });
      const gate = new MotionGate({
        camera: name,
        frames: source.frames,
        config: camera.motion,
        logger: log,
        onMotion: (frame, motion) => {
          if (!this.paused.has(name)) scheduler?.submit(frame, motion);
        },
        onMotionState: (moving) => mqtt.publish(`${base}/${name}/motion`, moving ? 'ON' : 'OFF', { retain: true, qos: 1 }),
      });
      this.sources.set(name, source);
      source.start();
      gate.start();
      this.stops.push(() => source.stop(), () => gate.stop());
    }
    // Status changes are pushed; fps is not, so send it now and then.
    const statusTimer = setInterval(() => {
      for (const source of this.sources.values()) bus.emit('cameraStatus', source.status());
    }, 30_000);
    this.stops.push(() => clearInterval(statusTimer));

    const gate = await this.startHomeAssistant(bus);
    await this.startFrigate(bus, mqtt, registry);
    const telegram = await this.startTelegram(db, bus, snapshots, registry, gate);

    // The web server, last: everything it shows exists by now.
    const token = accessToken(dataDir, config.server.token);
    const { port: mainPort, host, direct_port } = config.server;
    const listeners: Listener[] = [{ port: mainPort, host, access: addon ? 'ingress' : 'token' }];
    if (addon && direct_port) listeners.push({ port: direct_port, host, access: 'token' });
    const maxUploadBytes = Math.round(config.server.max_upload_mb * 1024 * 1024);
    const routes: RoutePlugin[] = [
      route(analyzeRoutes, '/api/analyze', { detector: () => this.detector, matchFace: (e) => registry.match(e), maxUploadBytes }),
      route(eventRoutes, '/api/events', { store: eventStore, snapshots }),
      route(faceRoutes, '/api/faces', { registry }),
      route(liveRoutes, '/api/live', { bus }),
    ];
    if (detector) {
      routes.push(route(poseRoutes, '/api/poses', { detector, library: poses, model: config.models.pose.model, config: config.analyzers.pose, now: () => Date.now(), maxUploadBytes }));
    }
    if (telegram) routes.push(route(telegramRoutes, '/api/telegram', { webhook: telegram.webhookHandler() }));
    const server = new WebServer({
      listeners,
      token,
      cameras: this.sources,
      health: { version: VERSION, mqttConnected: () => mqtt.connected, cameraCount: () => this.sources.size },
      logger: log,
      routes,
    });
    const [port, directPort] = await server.start();
    this.stops.push(() => server.stop());
    if (addon) log.info(`web UI: through Home Assistant ingress${directPort ? `, and http://<host>:${directPort}/?token=${token}` : ''}`);
    else log.info(`web UI: http://localhost:${port}/?token=${token}`);
    return { port, mqttUrl, token };
  }

  /** Missing or broken models cost the analysis, never the cameras, the UI or MQTT. */
  private async loadModels(): Promise<Detector | undefined> {
    try {
      const t0 = Date.now();
      const detector = await Detector.create({ config: this.loaded.config.models, logger: this.logger.child({ part: 'models' }) });
      this.logger.info(`models loaded in ${Date.now() - t0} ms`);
      return detector;
    } catch (err) {
      this.logger.error(`models not loaded, analysis is off: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** An unknown face of an event, for enrolment: its crop, embedded again (events keep no embeddings). */
  private async eventFace(snapshots: SnapshotStore, eventId: string) {
    const crop = await snapshots.load(eventId, 'crop.jpg');
    if (!crop || !this.detector) return undefined;
    const img = await loadImage(crop);
    const [face] = (await this.detector.detectFaces(img)).sort((a, b) => b.score - a.score);
    if (!face) return undefined;
    return { crop, embedding: await this.detector.embedFace(img, face) };
  }

  /** The HA websocket API (events per detection, the alert gate), where HA can be reached. */
  private async startHomeAssistant(bus: EventBus): Promise<(() => boolean) | undefined> {
    const { homeassistant } = this.loaded.config;
    const target = resolveHaTarget(homeassistant, process.env);
    if (!target) return undefined;
    const client = new HomeAssistantClient({
      url: target.url,
      token: target.token,
      logger: this.logger.child({ part: 'homeassistant-ws' }),
      eventType: homeassistant?.event_type,
      alertGate: homeassistant?.alert_gate,
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
  private async startFrigate(bus: EventBus, mqtt: MqttConnection, registry: FaceRegistry): Promise<void> {
    const frigate = this.loaded.config.frigate;
    if (!frigate?.url) return;
    let subscriber: MqttConnection = mqtt;
    if (frigate.mqtt_url) {
      subscriber = new MqttConnection({ url: frigate.mqtt_url, baseTopic: `${this.loaded.config.mqtt.base_topic}_frigate`, logger: this.logger.child({ part: 'frigate-mqtt' }) });
      subscriber.start();
      this.stops.push(() => subscriber.stop());
    }
    const source = new FrigateSource({
      mqtt: subscriber,
      frigateUrl: frigate.url,
      topicPrefix: frigate.topic_prefix,
      labels: frigate.labels,
      cameras: frigate.cameras.length ? frigate.cameras : undefined,
      analyseSnapshot: async (jpeg) => {
        const detector = this.detector;
        if (!detector) return { name: null };
        const img = await loadImage(jpeg);
        const [face] = (await detector.detectFaces(img)).sort((a, b) => b.score - a.score);
        if (!face) return { name: null };
        const match = registry.match(await detector.embedFace(img, face));
        return { name: match?.name ?? null, similarity: match?.similarity, faceBox: face.box };
      },
      bus,
      logger: this.logger.child({ part: 'frigate' }),
      snapshotAttempts: frigate.snapshot_attempts,
      retryMs: frigate.retry_interval * 1000,
      setSubLabel: frigate.set_sub_label,
    });
    source.start();
    this.stops.push(() => source.stop());
  }

  private async startTelegram(db: Db, bus: EventBus, snapshots: SnapshotStore, registry: FaceRegistry, alertGate?: () => boolean) {
    const telegram = this.loaded.config.telegram;
    if (!telegram?.enabled) return undefined;
    const jpegs = new JpegCache();
    const output = new TelegramOutput({
      config: telegram,
      db,
      bus,
      logger: this.logger.child({ part: 'telegram' }),
      loadSnapshot: (event) => (event.snapshot ? snapshots.load(event.id) : Promise.resolve(undefined)),
      cameraStatuses: () => [...this.sources.values()].map((s) => s.status()),
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
