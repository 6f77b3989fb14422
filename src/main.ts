import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { accessToken } from './access-token.js';
import type { LoadedConfig } from './config/load.js';
import type { CameraConfig } from './config/schema.js';
import { ensureDemoClip } from './demo/demo-clip.js';
import type { Logger } from './log.js';
import { MotionGate } from './motion/motion-gate.js';
import { MqttConnection } from './outputs/mqtt/connection.js';
import { EmbeddedBroker } from './outputs/mqtt/embedded-broker.js';
import { Detector } from './models/detector.js';
import { WebServer, type Listener } from './server/app.js';
import { analyzeRoutes } from './server/routes/analyze.js';
import { CameraSource } from './sources/camera-source.js';
import { findFfmpeg } from './sources/ffmpeg-path.js';
import { VERSION } from './version.js';

export interface Running {
  port: number;
  mqttUrl: string;
  token: string;
}

/**
 * The composition root: builds every part from the config, wires them and starts them.
 * Nothing else constructs parts; a part only knows the callbacks it is handed here.
 */
export class Argus {
  private broker?: EmbeddedBroker;
  private mqtt?: MqttConnection;
  private server?: WebServer;
  private detector?: Detector;
  private readonly sources = new Map<string, CameraSource>();
  private readonly gates: MotionGate[] = [];

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

    const cameras: Record<string, CameraConfig> = { ...config.cameras };
    if (this.loaded.demo) {
      log.info('no cameras configured: running the demo camera (building its clip on first start)');
      const clip = await ensureDemoClip(dataDir, ffmpegPath);
      cameras.demo = { ...demoCamera(), url: clip };
    }

    let mqttUrl = config.mqtt.url;
    if (!mqttUrl) {
      this.broker = new EmbeddedBroker({ port: config.mqtt.embedded_port, logger: log.child({ part: 'broker' }) });
      mqttUrl = await this.broker.start();
    }
    const base = config.mqtt.base_topic;
    const mqtt = new MqttConnection({
      url: mqttUrl,
      user: config.mqtt.user,
      password: config.mqtt.password,
      baseTopic: base,
      logger: log.child({ part: 'mqtt' }),
    });
    this.mqtt = mqtt;
    mqtt.start();

    for (const [name, camera] of Object.entries(cameras)) {
      if (!camera.enabled) {
        log.info(`camera ${name} is disabled`);
        continue;
      }
      const source = new CameraSource({
        name,
        camera,
        ffmpegPath,
        logger: log,
        onStatus: (s) => mqtt.publish(`${base}/${name}/available`, s.connected ? 'online' : 'offline', { retain: true, qos: 1 }),
      });
      const gate = new MotionGate({
        camera: name,
        frames: source.frames,
        config: camera.motion,
        logger: log,
        onMotionState: (moving) => mqtt.publish(`${base}/${name}/motion`, moving ? 'ON' : 'OFF', { retain: true, qos: 1 }),
      });
      this.sources.set(name, source);
      this.gates.push(gate);
    }

    this.detector = await this.loadModels();

    const token = accessToken(dataDir, config.server.token);
    // Inside the add-on the main port is HA's ingress port; elsewhere it is token-protected.
    const addon = Boolean(process.env.SUPERVISOR_TOKEN);
    const { port: mainPort, host, direct_port } = config.server;
    const listeners: Listener[] = [{ port: mainPort, host, access: addon ? 'ingress' : 'token' }];
    if (addon && direct_port) listeners.push({ port: direct_port, host, access: 'token' });
    this.server = new WebServer({
      listeners,
      token,
      cameras: this.sources,
      health: { version: VERSION, mqttConnected: () => mqtt.connected, cameraCount: () => this.sources.size },
      logger: log,
      routes: [analyzeRoutes({ detector: () => this.detector })],
    });
    const [port, directPort] = await this.server.start();
    for (const source of this.sources.values()) source.start();
    for (const gate of this.gates) gate.start();
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

  /** Undoes start() in reverse: no ffmpeg child outlives this, and MQTT says `offline`. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.gates.map((g) => g.stop()));
    await Promise.allSettled([...this.sources.values()].map((s) => s.stop()));
    await this.server?.stop().catch(() => undefined);
    if (this.mqtt) {
      for (const name of this.sources.keys()) {
        this.mqtt.publish(`${this.loaded.config.mqtt.base_topic}/${name}/available`, 'offline', { retain: true, qos: 1 });
      }
      await this.mqtt.stop().catch(() => undefined);
    }
    await this.broker?.stop().catch(() => undefined);
    await this.detector?.close().catch(() => undefined);
  }
}

function demoCamera(): CameraConfig {
  return {
    url: '',
    enabled: true,
    detect: { width: 640, height: 360, fps: 5 },
    input_args: [],
    hwaccel_args: [],
    stall_timeout: 10,
    motion: { threshold: 25, min_area: 300, background_alpha: 0.05 },
  };
}
