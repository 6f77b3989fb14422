import type { ArgusEvent, EventMessage } from '../../events/event.js';
import type { Logger } from '../../log.js';
import type { CameraStatus } from '../../sources/frame.js';
import type { MqttConnection } from './connection.js';
import { cameraTopics, eventsTopic, type CameraTopics } from './ha-topics.js';

export type LoadSnapshot = (event: ArgusEvent) => Promise<Buffer | undefined>;

export interface HaStatesOptions {
  mqtt: MqttConnection;
  baseTopic: string;
  cameras: string[];
  loadSnapshot: LoadSnapshot;
  logger: Logger;
  /** Base URL of the Argus API as HA can reach it; event entities then carry an absolute snapshot URL. */
  publicUrl?: string;
}

/** What one camera shows now, derived from the events that are open on it. */
class CameraState {
  readonly open = new Map<string, ArgusEvent>();
  /** Face events already announced on the `face_recognized` event entity, with the name announced. */
  readonly announcedFaces = new Map<string, string>();
  fps: number | null = null;
  available: boolean | null = null;
  lastFace: { name: string; attributes: Record<string, unknown> } | null = null;
  /** Snapshot loading: one at a time per camera, newest wins. */
  loading = false;
  pendingSnapshot: ArgusEvent | null = null;
  /** State payloads last sent, so an unchanged state is not sent again. */
  readonly sent = new Map<string, string>();

  constructor(readonly topics: CameraTopics) {}

  count(pred: (e: ArgusEvent) => boolean): number {
    let n = 0;
    for (const e of this.open.values()) if (pred(e)) n++;
    return n;
  }
}

const ON_OFF = (b: boolean) => (b ? 'ON' : 'OFF');

/**
 * Publishes each camera's HA states from the event stream: binary sensors go ON at an event's
 * start and OFF when the last open event of their kind ends. States are retained so HA reads
 * them after a restart; `argus/events` and the event entities are QoS 1 and not retained (a
 * retained event would fire again whenever HA reconnects).
 */
export class HaStatePublisher {
  private readonly cameras = new Map<string, CameraState>();

  constructor(private readonly opts: HaStatesOptions) {
    for (const name of opts.cameras) this.cameras.set(name, new CameraState(cameraTopics(opts.baseTopic, name)));
  }

  /** Re-sends every current state (at start, and when HA comes back online). */
  publishAll(): void {
    const { mqtt } = this.opts;
    for (const cam of this.cameras.values()) {
      this.publishDerived(cam, true);
      if (cam.available !== null) mqtt.publish(cam.topics.available, cam.available ? 'online' : 'offline', { retain: true, qos: 1 });
      if (cam.fps !== null) mqtt.publish(cam.topics.fps, String(cam.fps), { retain: true });
    }
  }

  handleEvent(msg: EventMessage): void {
    const { mqtt, baseTopic } = this.opts;
    mqtt.publish(eventsTopic(baseTopic), JSON.stringify(msg), { qos: 1 });
    const cam = this.cameras.get(msg.event.camera);
    if (!cam) return;
    const ev = msg.event;
    if (msg.type === 'end') {
      cam.open.delete(ev.id);
      cam.announcedFaces.delete(ev.id);
    } else {
      cam.open.set(ev.id, ev);
    }
    if (ev.kind === 'face' && ev.sub_label) this.faceRecognised(cam, ev);
    if (ev.kind === 'weapon' && msg.type === 'start') this.publishEventEntity(cam.topics.weaponDetected, 'weapon_detected', ev);
    this.publishDerived(cam);
    // Asked even without `snapshot`: events from Frigate carry their JPEG elsewhere (FrigateSource.snapshot).
    if (msg.type !== 'end') this.queueSnapshot(cam, ev);
  }

  handleStatus(status: CameraStatus): void {
    const cam = this.cameras.get(status.name);
    if (!cam) return;
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
  }

  private faceRecognised(cam: CameraState, ev: ArgusEvent): void {
    const name = ev.sub_label!;
    const similarity = typeof ev.attributes?.similarity === 'number' ? ev.attributes.similarity : null;
    cam.lastFace = { name, attributes: { similarity, time: new Date((ev.end_time ?? ev.start_time) * 1000).toISOString(), event_id: ev.id } };
    if (cam.announcedFaces.get(ev.id) === name) return;
    cam.announcedFaces.set(ev.id, name);
    this.publishEventEntity(cam.topics.faceRecognized, 'face_recognized', ev, { similarity });
  }

  private publishEventEntity(topic: string, eventType: string, ev: ArgusEvent, extra: Record<string, unknown> = {}): void {
    const payload = {
      event_type: eventType,
      name: ev.sub_label,
      label: ev.label,
      score: ev.score,
      ...extra,
      camera: ev.camera,
      event_id: ev.id,
      snapshot_url: this.snapshotUrl(ev),
    };
    this.opts.mqtt.publish(topic, JSON.stringify(payload), { qos: 1 });
  }

  private snapshotUrl(ev: ArgusEvent): string | null {
    if (!ev.snapshot) return null;
    return this.opts.publicUrl ? new URL(ev.snapshot, this.opts.publicUrl.replace(/\/?$/, '/')).href : ev.snapshot;
  }

  private publishDerived(cam: CameraState, force = false): void {
    const { mqtt } = this.opts;
    const t = cam.topics;
    const retained = (topic: string, payload: string) => {
      if (!force && cam.sent.get(topic) === payload) return;
      cam.sent.set(topic, payload);
      mqtt.publish(topic, payload, { retain: true, qos: 1 });
    };
    const persons = cam.count((e) => e.kind === 'person');
    retained(t.weapon, ON_OFF(cam.count((e) => e.kind === 'weapon') > 0));
    retained(t.person, ON_OFF(persons > 0));
    retained(t.personCount, String(persons));
    retained(t.knownFace, ON_OFF(cam.count((e) => e.kind === 'face' && e.sub_label !== null) > 0));
    retained(t.unknownFace, ON_OFF(cam.count((e) => e.kind === 'face' && e.sub_label === null) > 0));
    retained(t.suspicious, ON_OFF(cam.count((e) => e.kind === 'suspicious') > 0));
    if (cam.lastFace) {
      retained(t.lastFaceAttributes, JSON.stringify(cam.lastFace.attributes));
      retained(t.lastFace, cam.lastFace.name);
    }
  }

  private queueSnapshot(cam: CameraState, ev: ArgusEvent): void {
    cam.pendingSnapshot = ev;
    if (cam.loading) return;
    cam.loading = true;
    void this.drainSnapshots(cam);
  }

  private async drainSnapshots(cam: CameraState): Promise<void> {
    while (cam.pendingSnapshot) {
      const ev = cam.pendingSnapshot;
      cam.pendingSnapshot = null;
      try {
        const jpeg = await this.opts.loadSnapshot(ev);
        if (jpeg) this.opts.mqtt.publish(cam.topics.image, jpeg, { retain: true });
      } catch (err) {
        this.opts.logger.warn(`snapshot of event ${ev.id} could not be read for Home Assistant: ${(err as Error).message}`);
      }
    }
    cam.loading = false;
  }
}
