import type { SwitchControl } from '../../analyzers/analyzer.js';
import type { EventBus } from '../../bus.js';
import type { EventMessage } from '../../events/event.js';
import type { EventKinds } from '../../analyzers/kinds.js';
import type { Logger } from '../../log.js';
import type { SnapshotUrl } from '../../server/snapshot-links.js';
import type { Db } from '../../store/database.js';
import type { MqttConnection } from './connection.js';
import type { CameraSubject } from './discovery-payload.js';
import { HaDiscovery } from './discovery.js';
import { HaPauseSwitch } from './ha-pause-switch.js';
import { HaPeople } from './ha-people.js';
import { HaStatePublisher, type LoadSnapshot } from './ha-states.js';
import { HaStore } from './ha-store.js';
import { HaSwitches } from './ha-switches.js';
import { haIdPrefix, haStatusTopic } from './ha-topics.js';
import type { PersonSubject } from './people-discovery.js';

export interface HomeAssistantMqttOptions {
  mqtt: MqttConnection;
  bus: EventBus;
  db: Db;
  /** Argus' own (enabled) cameras. */
  cameras: string[];
  /**
   * Cameras turned off in the config (`enabled: false`): kept in HA (a household turning one off
   * for a while keeps its entities, areas and dashboards), unavailable, Stream problem saying why.
   */
  disabled?: string[];
  /** Each camera's configured zones. */
  zones?: Record<string, string[]>;
  /** The event kinds each of Argus' cameras raises (its enabled analyzers); a camera not listed: all. */
  cameraKinds?: Record<string, string[]>;
  /** Frigate is configured: the cameras it reports (`sourceCameras` on the bus) become devices too. */
  frigate?: boolean;
  /** The analyzers' event kinds, whose entities each camera gets. */
  kinds: EventKinds;
  discoveryPrefix: string;
  version: string;
  /** `server.public_url`, the devices' link to the web UI. */
  configurationUrl?: string;
  logger: Logger;
  onPause: (camera: string, paused: boolean) => void;
  loadSnapshot: LoadSnapshot;
  /** Analyzer switches (`platform: 'switch'` entities) by key: what their commands set and their states read. */
  switches?: Record<string, SwitchControl>;
  /** Signed snapshot links (absolute with `server.public_url`) for event entities, `argus/events` and people. */
  snapshotUrl?: SnapshotUrl;
  /** Enrolled people (FaceRegistry.list()), each with a sensor; absent: no people device. */
  people?: () => PersonSubject[];
  /** `faces.away_after`, seconds. */
  awayAfterSeconds?: number;
  /** Frame→MQTT latency for the stats (HaStatesOptions.onEventPublish). */
  onEventPublish?: (message: EventMessage) => (() => void) | undefined;
  /** Milliseconds since the epoch, and how often people are checked for `away` (tests). */
  clock?: () => number;
  /** Milliseconds between two pictures of a camera for its events' updates (HaStatesOptions; tests). */
  imageEveryMs?: number;
  tickMs?: number;
}

const FRIGATE = 'frigate';
/** FrigateSource turns Frigate's events into face events only. */
const FRIGATE_KINDS = ['face'];

/**
 * Home Assistant over MQTT: discovery, states from the event bus, the pause switch, people
 * and zones, and a re-announce whenever HA publishes `online` on `<prefix>/status` (it has
 * restarted and may have lost what it knew).
 */
export class HomeAssistantMqtt {
  private readonly discovery: HaDiscovery;
  private readonly states: HaStatePublisher;
  private readonly pause: HaPauseSwitch;
  private readonly people: HaPeople;
  private readonly switches: HaSwitches;
  private readonly store: HaStore;
  private unsubscribe?: () => void;
  private unhookConnect?: () => void;

  constructor(private readonly opts: HomeAssistantMqttOptions) {
    const store = new HaStore(opts.db);
    this.store = store;
    // Frigate cameras remembered from the last run keep their devices until Frigate says otherwise.
    if (!opts.frigate) store.saveSourceCameras(FRIGATE, [], true);
    const idPrefix = this.idPrefix(store);
    this.discovery = new HaDiscovery({ ...opts, idPrefix, store, subjects: () => ({ cameras: this.cameraSubjects(), people: opts.people?.() ?? [] }) });
    this.states = new HaStatePublisher({
      ...opts,
      store,
      cameras: this.cameraSubjects().map((c) => c.name),
      ownCameras: this.ownCameras(),
      kindsOf: (camera) => this.kindsOf(camera),
    });
    this.pause = new HaPauseSwitch({ ...opts, cameras: this.ownCameras(), store });
    this.switches = new HaSwitches({ mqtt: opts.mqtt, logger: opts.logger, controls: opts.switches ?? {}, cameras: this.switchCameras() });
    this.people = new HaPeople({ ...opts, store, people: opts.people ?? (() => []), awayAfterSeconds: opts.awayAfterSeconds ?? 600 });
  }

  /**
   * The ids' prefix: the base topic's (haIdPrefix), unless this Argus announced its devices as
   * `argus_…` before: their entity ids (dashboards, automations) stay as they were.
   */
  private idPrefix(store: HaStore): string {
    const wanted = haIdPrefix(this.opts.mqtt.baseTopic);
    const before = `${this.opts.discoveryPrefix}/device/argus_`;
    if (wanted === 'argus' || ![...store.publishedConfigs().keys()].some((t) => t.startsWith(before))) return wanted;
    this.opts.logger.info(
      `Home Assistant ids stay argus_… (announced so before); a second Argus on this broker with the base topic "${this.opts.mqtt.baseTopic}" and a fresh data folder gets ${wanted}_… ids`,
    );
    return 'argus';
  }

  start(): void {
    const { bus, mqtt, discoveryPrefix } = this.opts;
    // Forced: the broker may have lost its retained configs while Argus was down (no persistence, a reboot).
    this.discovery.announce(true);
    this.states.publishAll();
    this.pause.start();
    this.switches.start();
    this.people.start();
    bus.on(this, 'event', (msg) => {
      this.states.handleEvent(msg);
      this.people.handleEvent(msg);
    });
    bus.on(this, 'cameraStatus', (status) => this.states.handleStatus(status));
    bus.on(this, 'motion', ({ camera, moving }) => this.states.handleMotion(camera, moving));
    bus.on(this, 'inView', ({ camera, events }) => this.states.handleInView(camera, events));
    bus.on(this, 'personRenamed', ({ from, to }) => this.states.renamed(from, to));
    bus.on(this, 'facesChanged', () => {
      this.discovery.announce();
      this.people.sync();
    });
    bus.on(this, 'sourceCameras', ({ source, cameras, complete }) => this.sourceCameras(source, cameras, complete));
    this.unsubscribe = mqtt.subscribeExternal(haStatusTopic(discoveryPrefix), (_topic, payload) => {
      if (payload.toString() === 'online') this.resend('Home Assistant came online');
    });
    // A restarted broker may have lost every retained message, and HA's birth message may never come.
    this.unhookConnect = mqtt.onConnect(({ reconnect }) => {
      if (reconnect) this.resend('MQTT reconnected'); // the first connect sends what start() queued
    });
  }

  /** Every config and state again, unchanged ones too: whoever held them (HA, the broker) may have lost them. */
  private resend(why: string): void {
    this.opts.logger.info(`${why}: re-sending discovery and states`);
    this.discovery.announce(true);
    this.states.publishAll();
    this.pause.publishAll();
    this.switches.publishAll();
    this.people.publishAll();
  }

  /** Runs after the cameras stopped and before MQTT closes: HA sees each camera go down. */
  stop(): void {
    this.states.publishOffline();
    this.opts.bus.removeAll(this);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unhookConnect?.();
    this.pause.stop();
    this.switches.stop();
    this.people.stop();
  }

  isPaused(camera: string): boolean {
    return this.pause.isPaused(camera);
  }

  /** The web UI's pause button: the same state, log line and MQTT topic as HA's switch. */
  setPaused(camera: string, paused: boolean): void {
    this.pause.set(camera, paused, 'the web UI');
  }

  /** Argus' own cameras, those turned off in the config too. */
  private ownCameras(): string[] {
    return [...this.opts.cameras, ...(this.opts.disabled ?? [])];
  }

  /** Argus' cameras, then Frigate's that Argus does not also watch itself. */
  private cameraSubjects(): CameraSubject[] {
    const ownCameras = this.ownCameras();
    const disabled = new Set(this.opts.disabled ?? []);
    const own = ownCameras.map((name) => ({ name, zones: this.opts.zones?.[name] ?? [], frigate: false, kinds: this.kindsOf(name), disabled: disabled.has(name) }));
    const frigate = this.opts.frigate ? this.store.sourceCameras(FRIGATE).filter((c) => !ownCameras.includes(c)) : [];
    return [...own, ...frigate.map((name) => ({ name, zones: [], frigate: true, kinds: this.kindsOf(name) }))];
  }

  /** Each switch key with Argus' own cameras that raise the kind declaring it. */
  private switchCameras(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const camera of this.opts.cameras) {
      const kinds = this.kindsOf(camera);
      for (const spec of this.opts.kinds.specs.filter((k) => kinds.includes(k.kind))) {
        for (const e of spec.entities) if (e.platform === 'switch') out[e.key] = [...(out[e.key] ?? []), camera];
      }
    }
    return out;
  }

  /** What a camera raises: its analyzers' kinds; Frigate's cameras only get named faces from Argus. */
  private kindsOf(camera: string): string[] {
    if (!this.ownCameras().includes(camera)) return FRIGATE_KINDS;
    return this.opts.cameraKinds?.[camera] ?? this.opts.kinds.names;
  }

  private sourceCameras(source: 'frigate', cameras: string[], complete: boolean): void {
    if (!this.opts.frigate) return;
    this.store.saveSourceCameras(source, cameras, complete);
    const subjects = new Set(this.cameraSubjects().map((c) => c.name));
    // One that left: announce() clears its retained states; a resend or stop must not bring them back.
    for (const name of this.states.cameraNames()) if (!subjects.has(name)) this.states.removeCamera(name);
    this.discovery.announce();
    for (const name of subjects) if (this.states.addCamera(name)) this.states.publishCameraStates(name);
  }
}
