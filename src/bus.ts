import { EventEmitter } from 'node:events';
import type { ArgusEvent, EventMessage } from './events/event.js';
import type { CameraStatus } from './sources/frame.js';

/**
 * What travels between parts, typed. Producers emit; outputs (MQTT, Home Assistant, Telegram,
 * the UI) listen. Add an entry here when a new kind of message appears; keep others' entries.
 */
export interface BusEvents {
  /** Detection event lifecycle (start / update / end). */
  event: EventMessage;
  /** A camera connected, disconnected or changed its error. */
  cameraStatus: CameraStatus;
  /** The motion gate's per-camera state flipped. */
  motion: { camera: string; moving: boolean };
  /** The open events of a camera seen in its last few seconds, or their zones, changed: them as they are now (the counts HA shows). */
  inView: { camera: string; events: ArgusEvent[] };
  /** The face registry changed (enrol, rename, delete, import); the UI's live stream passes it on. */
  facesChanged: { people: number; samples: number };
  /** A person was renamed or merged into another: events naming `from` now name `to`. */
  personRenamed: { from: string; to: string };
  /**
   * A source that owns its cameras (Frigate) reports them, so they get HA devices: `complete`
   * is its whole list (Frigate's config), otherwise cameras just seen in its events.
   */
  sourceCameras: { source: 'frigate'; cameras: string[]; complete: boolean };
}

type Listener<K extends keyof BusEvents> = (payload: BusEvents[K]) => void;

/**
 * A typed event bus whose listeners belong to an owner, so `removeAll(owner)` in a part's
 * `stop()` can never leave a stray listener behind (zigbee2mqtt's eventBus idea).
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly owned = new Map<object, Array<[keyof BusEvents, (payload: never) => void]>>();

  constructor(private readonly onListenerError?: (event: string, err: unknown) => void) {
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof BusEvents>(owner: object, event: K, listener: Listener<K>): void {
    // One listener's failure must not stop the others or reach the producer.
    const safe = (payload: BusEvents[K]) => {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError?.(event, err);
      }
    };
    this.emitter.on(event, safe);
    const list = this.owned.get(owner) ?? [];
    list.push([event, safe as (p: never) => void]);
    this.owned.set(owner, list);
  }

  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  /** How many owners have listeners now (a leak shows as a number that only grows). */
  get ownerCount(): number {
    return this.owned.size;
  }

  removeAll(owner: object): void {
    for (const [event, listener] of this.owned.get(owner) ?? []) this.emitter.off(event, listener as (...args: unknown[]) => void);
    this.owned.delete(owner);
  }
}
