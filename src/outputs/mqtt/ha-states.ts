import type { EntitySpec } from '../../analyzers/analyzer.js';
import type { EventKinds } from '../../analyzers/kinds.js';
import type { ArgusEvent, EventMessage } from '../../events/event.js';
import type { Logger } from '../../log.js';
import type { CameraStatus } from '../../sources/frame.js';
import type { SnapshotUrl } from '../../server/snapshot-links.js';
import type { MqttConnection } from './connection.js';
import type { HaStore } from './ha-store.js';
import type { PersonSubject } from './people-discovery.js';
import { cameraTopics, EVENTS_TOPIC, zoneTopics, type CameraTopics } from './ha-topics.js';

export type LoadSnapshot = (event: ArgusEvent) => Promise<Buffer | undefined>;

export interface HaStatesOptions {
  mqtt: MqttConnection;
  cameras: string[];
  /**
   * The cameras whose streams Argus reads itself: they alone have availability, fps and motion
   * states (Frigate's cameras get no such entities); absent: every camera.
   */
  ownCameras?: readonly string[];
  /** Own cameras turned off in the config: unavailable, their Stream problem says so. */
  disabled?: readonly string[];
  /** Each camera's configured zones (person count and occupancy per zone). */
  zones?: Record<string, string[]>;
  /** The analyzers' event kinds: which entities each camera has and how their states follow events. */
  kinds: EventKinds;
  /** The kinds a camera raises (its enabled analyzers), whose states it gets; absent: all. */
  kindsOf?: (camera: string) => readonly string[];
  loadSnapshot: LoadSnapshot;
  logger: Logger;
  /** Signed snapshot links (absolute with `server.public_url`) for event entities and `argus/events`. */
  snapshotUrl?: SnapshotUrl;
  /** Called as an event is handed to `argus/events`; what it returns runs once the broker has it (Stats.mqttPublish: frame→MQTT latency). */
  onEventPublish?: (message: EventMessage) => (() => void) | undefined;
  /** Milliseconds between two pictures of a camera for its events' updates (IMAGE_EVERY_MS; tests pass their own). */
  imageEveryMs?: number;
  /** Milliseconds, for the pictures' spacing (tests pass their own). */
  clock?: () => number;
  /**
   * Where the last-value sensors and the last snapshot's event are kept: after a restart, and a
   * broker that forgot its retained states (no persistence), Last face and the image come back.
   */
  store?: Pick<HaStore, 'lastValues' | 'saveLastValue' | 'lastSnapshot' | 'saveLastSnapshot'>;
  /** Enrolled people: an event entity naming one carries their registry id and external id, which a rename keeps. */
  people?: () => PersonSubject[];
}

/**
 * An update's picture goes at most this often a camera (a start's at once; the last one held back
 * goes when the time is up): each picture is a state change HA's recorder keeps, and an event's
 * score rising frame by frame sent 48 JPEGs in 30 s.
 */
const IMAGE_EVERY_MS = 10_000;
/**
 * Starts' pictures at most this often (or IMAGE_EVERY_MS where that is shorter): the person, face
 * and object of one frame start together, and each sent its picture (7 in 230 ms, all stored by
 * HA's recorder); the first goes at once, the newest of the rest a second later.
 */
const START_EVERY_MS = 1000;

/** What one camera shows now, derived from the events that are open on it. */
class CameraState {
  readonly open = new Map<string, ArgusEvent>();
  /** The open events seen lately, as EventManager's `inView` last said, which the counts count; null: never said (Frigate's cameras), count every open event. */
  inView: Map<string, ArgusEvent> | null = null;
  /** What each open event already fired on each event entity (`<event id>/<entity key>` → value), so it fires once. */
  readonly fired = new Map<string, string>();
  /** The last value of each last-value sensor, kept after its event ends. */
  readonly last = new Map<string, { state: string; attributes: Record<string, unknown> }>();
  fps: number | null = null;
  available: boolean | null = null;
  problem: string | null = null;
  /** Kept so a reconnect can re-send it: a restarted broker forgets retained messages. */
  motion: boolean | null = null;
  /** The event whose snapshot was last published on the image entity, re-sent on reconnect. */
  lastSnapshot: ArgusEvent | null = null;
  /** Snapshot loading: one at a time per camera, newest wins. */
  loading = false;
  pendingSnapshot: ArgusEvent | null = null;
  /** The pending picture goes without waiting its turn (a start, a reconnect). */
  pendingNow = false;
  /** When a picture was last published, and the timer for one held back. */
  imageAt = Number.NEGATIVE_INFINITY;
  imageTimer: NodeJS.Timeout | undefined;
  /** State payloads last sent, so an unchanged state is not sent again. */
  readonly sent = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly topics: CameraTopics,
    readonly zones: string[],
  ) {}

  count(pred: (e: ArgusEvent) => boolean): number {
    let n = 0;
    for (const e of this.open.values()) if (pred(e)) n++;
    return n;
  }

  /** Like `count`, of the events in view now. */
  countInView(pred: (e: ArgusEvent) => boolean): number {
    if (this.inView === null) return this.count(pred);
    let n = 0;
    for (const e of this.inView.values()) if (pred(e)) n++;
    return n;
  }
}

const ON_OFF = (b: boolean) => (b ? 'ON' : 'OFF');

/** A person event whose object stands in the zone now. */
const inZone = (zone: string) => (ev: ArgusEvent) => ev.kind === 'person' && (ev.current_zones ?? []).includes(zone);

/**
 * Publishes each camera's HA states from the event stream: binary sensors go ON at an event's
 * start and OFF when the last open event of their kind ends. States are retained so HA reads
 * them after a restart; `argus/events` and the event entities are QoS 1 and not retained (a
 * retained event would fire again whenever HA reconnects).
 */
export class HaStatePublisher {
  private readonly cameras = new Map<string, CameraState>();

  constructor(private readonly opts: HaStatesOptions) {
    for (const name of opts.cameras) this.addCamera(name);
  }

  /**
   * A camera that appeared while running (Frigate's); its events are followed from now on, and
   * its states sent. Returns whether it is new.
   */
  addCamera(name: string): boolean {
    if (this.cameras.has(name)) return false;
    const cam = new CameraState(name, cameraTopics(name), this.opts.zones?.[name] ?? []);
    for (const [key, value] of this.opts.store?.lastValues(name) ?? []) cam.last.set(key, value);
    cam.lastSnapshot = this.opts.store?.lastSnapshot(name) ?? null;
    this.cameras.set(name, cam);
    // Versions before 2026-12-07 sent a Frigate camera's availability and fps, which nothing reads.
    if (!this.own(name)) for (const topic of [cam.topics.available, cam.topics.fps, cam.topics.problem]) this.opts.mqtt.publish(topic, '', { retain: true, qos: 1 });
    // A camera of Argus' own is down and still until its stream says otherwise: a crashed run left
    // `online` and motion ON retained, which HA would show as current.
    else {
      cam.available = false;
      cam.motion = false;
      if (this.opts.disabled?.includes(name)) cam.problem = 'turned off in the config (enabled: false)';
    }
    return true;
  }

  /** A camera that left (Frigate no longer lists it): its states are no longer sent, not even at a resend or stop. */
  removeCamera(name: string): void {
    const cam = this.cameras.get(name);
    if (!cam) return;
    clearTimeout(cam.imageTimer);
    this.cameras.delete(name);
  }

  /** The cameras whose states are sent. */
  cameraNames(): string[] {
    return [...this.cameras.keys()];
  }

  /** Re-sends every current state (at start, and when HA comes back online). */
  publishAll(): void {
    for (const cam of this.cameras.values()) this.publishCamera(cam);
  }

  /** Sends one camera's current states, unchanged ones too. */
  publishCameraStates(name: string): void {
    const cam = this.cameras.get(name);
    if (cam) this.publishCamera(cam);
  }

  private publishCamera(cam: CameraState): void {
    const { mqtt } = this.opts;
    this.publishStates(cam, true);
    this.publishCounts(cam, true);
    if (cam.available !== null) mqtt.publish(cam.topics.available, cam.available ? 'online' : 'offline', { retain: true, qos: 1 });
    if (cam.fps !== null) mqtt.publish(cam.topics.fps, String(cam.fps), { retain: true });
    if (cam.problem !== null) mqtt.publish(cam.topics.problem, cam.problem, { retain: true, qos: 1 });
    if (cam.motion !== null) mqtt.publish(cam.topics.motion, ON_OFF(cam.motion), { retain: true, qos: 1 });
    if (cam.lastSnapshot) this.queueSnapshot(cam, cam.lastSnapshot, true);
  }

  private own(name: string): boolean {
    return this.opts.ownCameras?.includes(name) ?? true;
  }

  handleEvent(msg: EventMessage): void {
    // `snapshot_url` beside the message Frigate-style consumers already read, which stays as it was.
    this.opts.mqtt.publish(EVENTS_TOPIC, JSON.stringify({ ...msg, snapshot_url: this.snapshotUrl(msg.event) }), { qos: 1 }, this.opts.onEventPublish?.(msg));
    const cam = this.cameras.get(msg.event.camera);
    if (!cam) return;
    const ev = msg.event;
    if (msg.type === 'end') {
      cam.open.delete(ev.id);
      // out of view too: Argus stopping ends every event without a last `inView`
      cam.inView?.delete(ev.id);
    } else cam.open.set(ev.id, ev);
    this.followEntities(cam, msg);
    this.publishStates(cam);
    this.publishCounts(cam);
    // Asked even without `snapshot`: events from Frigate carry their JPEG elsewhere (FrigateSource.snapshot).
    if (msg.type !== 'end') this.queueSnapshot(cam, ev, msg.type === 'start');
  }

  /** The event's last-value sensors keep it; its event entities fire, once per event and value. */
  private followEntities(cam: CameraState, { type, event: ev }: EventMessage): void {
    for (const e of this.opts.kinds.spec(ev.kind)?.entities ?? []) {
      if ('last' in e) {
        const value = e.last(ev);
        if (value) {
          cam.last.set(e.key, value);
          this.opts.store?.saveLastValue(cam.name, e.key, value);
        }
      } else if (e.platform === 'event') {
        const value = type === 'end' ? null : e.fireOn(ev);
        const key = `${ev.id}/${e.key}`;
        if (value !== null && cam.fired.get(key) !== value) {
          cam.fired.set(key, value);
          this.publishEventEntity(cam.topics.entity(e.key), e.eventType, ev, e.extra?.(ev));
        }
        if (type === 'end') cam.fired.delete(key);
      }
    }
  }

  /**
   * A person renamed (or merged into another): a last value that names them (Last face) names
   * them anew, and is kept so; the retained old name outlived the rename.
   */
  renamed(from: string, to: string): void {
    const naming = new Set(this.opts.kinds.specs.flatMap((k) => k.entities.filter((e) => 'last' in e && e.names).map((e) => e.key)));
    for (const cam of this.cameras.values()) {
      for (const [key, value] of cam.last) {
        if (!naming.has(key) || value.state !== from) continue;
        const renamed = { ...value, state: to };
        cam.last.set(key, renamed);
        this.opts.store?.saveLastValue(cam.name, key, renamed);
      }
      this.publishStates(cam);
    }
  }

  /** The camera's events in view now: the counts follow them. */
  handleInView(camera: string, events: readonly ArgusEvent[]): void {
    const cam = this.cameras.get(camera);
    if (!cam) return;
    cam.inView = new Map(events.map((e) => [e.id, e]));
    this.publishCounts(cam);
  }

  /** The motion gate's state, retained (`<camera>/motion`). */
  handleMotion(camera: string, moving: boolean): void {
    const cam = this.cameras.get(camera);
    if (!cam) return;
    cam.motion = moving;
    this.opts.mqtt.publish(cam.topics.motion, ON_OFF(moving), { retain: true, qos: 1 });
  }

  /** Argus is stopping: every camera goes unavailable in HA before MQTT closes. */
  publishOffline(): void {
    for (const cam of this.cameras.values()) {
      if (!this.own(cam.name)) continue;
      // Still, as the other states go off: a motion ON left retained stayed on in HA until the camera next moved.
      if (cam.motion) this.handleMotion(cam.name, false);
      // the reason retained for any reader (Node-RED; HA shows the sensor unavailable): "connecting" stayed after a clean stop
      if (!this.opts.disabled?.includes(cam.name)) {
        cam.problem = 'Argus is stopped';
        this.opts.mqtt.publish(cam.topics.problem, cam.problem, { retain: true, qos: 1 });
      }
      this.opts.mqtt.publish(cam.topics.available, 'offline', { retain: true, qos: 1 });
    }
  }

  handleStatus(status: CameraStatus): void {
    const cam = this.cameras.get(status.name);
    if (!cam || !this.own(cam.name)) return;
    const { mqtt } = this.opts;
    if (cam.available !== status.connected) {
      cam.available = status.connected;
      mqtt.publish(cam.topics.available, status.connected ? 'online' : 'offline', { retain: true, qos: 1 });
    }
    const fps = Math.round(status.fps * 10) / 10;
    if (cam.fps !== fps) {
      cam.fps = fps;
      mqtt.publish(cam.topics.fps, String(fps), { retain: true });
    }
    // The reason in words, for an automation or a dashboard: "unavailable" alone said nothing of a wrong password.
    const problem = status.connected ? 'ok' : (status.lastError ?? 'connecting').slice(0, 255);
    if (cam.problem !== problem) {
      cam.problem = problem;
      mqtt.publish(cam.topics.problem, problem, { retain: true, qos: 1 });
    }
  }

  private publishEventEntity(topic: string, eventType: string, ev: ArgusEvent, extra: Record<string, unknown> = {}): void {
    // The name changes with a rename; the id (and the household's external id) do not.
    const person = ev.sub_label ? this.opts.people?.().find((p) => p.name === ev.sub_label) : undefined;
    const payload = {
      event_type: eventType,
      name: ev.sub_label,
      ...(person ? { person_id: person.id, external_id: person.externalId ?? null } : {}),
      label: ev.label,
      score: ev.score,
      ...extra,
      camera: ev.camera,
      event_id: ev.id,
      snapshot_url: this.snapshotUrl(ev),
      // When Argus fired it: a message held while the broker was down arrives late, and an automation can tell.
      time: new Date((this.opts.clock ?? Date.now)()).toISOString(),
    };
    this.opts.mqtt.publish(topic, JSON.stringify(payload), { qos: 1 });
  }

  private snapshotUrl(ev: ArgusEvent): string | null {
    return this.opts.snapshotUrl ? this.opts.snapshotUrl(ev) : ev.snapshot;
  }

  /** A retained state of the camera, sent when it changed (or `force`). */
  private retained(cam: CameraState, topic: string, payload: string, force: boolean): void {
    if (!force && cam.sent.get(topic) === payload) return;
    cam.sent.set(topic, payload);
    this.opts.mqtt.publish(topic, payload, { retain: true, qos: 1 });
  }

  /** The kinds' entities the camera raises, with their topics. */
  private entitiesOf(cam: CameraState): Array<{ kind: string; e: EntitySpec; topic: string }> {
    const raised = this.opts.kindsOf?.(cam.name);
    return this.opts.kinds.specs.filter((k) => !raised || raised.includes(k.kind)).flatMap((k) => k.entities.map((e) => ({ kind: k.kind, e, topic: cam.topics.entity(e.key) })));
  }

  /** What follows the open events: binary sensors, last values and zone occupancy. */
  private publishStates(cam: CameraState, force = false): void {
    for (const { kind, e, topic } of this.entitiesOf(cam)) {
      if (e.platform === 'binary_sensor') this.retained(cam, topic, ON_OFF(cam.count((ev) => ev.kind === kind && e.on(ev)) > 0), force);
      else if ('last' in e) {
        const value = cam.last.get(e.key);
        if (!value) continue;
        this.retained(cam, cam.topics.attributes(e.key), JSON.stringify(value.attributes), force);
        this.retained(cam, topic, value.state, force);
      }
    }
    // on while a person event in the zone is open, as the binary sensors are
    for (const zone of cam.zones) this.retained(cam, zoneTopics(cam.topics.camera, zone).occupancy, ON_OFF(cam.count(inZone(zone)) > 0), force);
  }

  /** What follows the events in view: the count sensors and each zone's person count. */
  private publishCounts(cam: CameraState, force = false): void {
    for (const { kind, e, topic } of this.entitiesOf(cam)) {
      if ('counts' in e) this.retained(cam, topic, String(cam.countInView((ev) => ev.kind === kind && e.counts(ev))), force);
    }
    for (const zone of cam.zones) this.retained(cam, zoneTopics(cam.topics.camera, zone).count, String(cam.countInView(inZone(zone))), force);
  }

  /** The newest event's picture for the camera's image entity: `now` for a start, else in its turn (IMAGE_EVERY_MS). */
  private queueSnapshot(cam: CameraState, ev: ArgusEvent, now: boolean): void {
    cam.pendingSnapshot = ev;
    cam.pendingNow ||= now;
    this.pumpSnapshot(cam);
  }

  private pumpSnapshot(cam: CameraState): void {
    if (cam.loading || !cam.pendingSnapshot) return;
    const clock = this.opts.clock ?? Date.now;
    const every = this.opts.imageEveryMs ?? IMAGE_EVERY_MS;
    const wait = cam.imageAt + (cam.pendingNow ? Math.min(START_EVERY_MS, every) : every) - clock();
    if (wait > 0) {
      cam.imageTimer ??= setTimeout(() => {
        cam.imageTimer = undefined;
        this.pumpSnapshot(cam);
      }, wait).unref();
      return;
    }
    clearTimeout(cam.imageTimer);
    cam.imageTimer = undefined;
    const ev = cam.pendingSnapshot;
    cam.pendingSnapshot = null;
    cam.pendingNow = false;
    cam.loading = true;
    void this.publishSnapshot(cam, ev).finally(() => {
      cam.loading = false;
      this.pumpSnapshot(cam);
    });
  }

  private async publishSnapshot(cam: CameraState, ev: ArgusEvent): Promise<void> {
    try {
      const jpeg = await this.opts.loadSnapshot(ev);
      if (jpeg) {
        if (cam.lastSnapshot?.id !== ev.id) this.opts.store?.saveLastSnapshot(cam.name, ev);
        cam.lastSnapshot = ev;
        cam.imageAt = (this.opts.clock ?? Date.now)();
        this.opts.mqtt.publish(cam.topics.image, jpeg, { retain: true });
      }
    } catch (err) {
      this.opts.logger.warn(`snapshot of event ${ev.id} could not be read for Home Assistant: ${(err as Error).message}`);
    }
  }
}
