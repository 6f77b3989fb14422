import { randomBytes } from 'node:crypto';
import type { EventBus } from '../bus.js';
import type { Logger } from '../log.js';
import { WriteFailures } from './write-failures.js';
import type { EventStore } from '../store/events.js';
import type { RgbImage } from '../vision/image.js';
import type { AnalyzedFrame, Detection } from './analyzed-frame.js';
import type { EventsConfig } from './config.js';
import type { ArgusEvent, EventBox, EventMessage, EventPhase } from './event.js';
import type { EventLog } from './event-log.js';
import { type ColourOf, SnapshotRenderer } from './snapshot-renderer.js';
import type { SnapshotStore } from './snapshot-store.js';
import { Tracker, type Track } from './tracker.js';
import { CameraAreas, type CameraAreasConfig } from './zones.js';

/** What the manager reads of a camera's config: its zones and masks, and the detect size they are drawn at. */
export type CameraEventsConfig = CameraAreasConfig & { detect?: { width: number; height: number } };

export interface EventManagerOptions {
  config: Pick<EventsConfig, 'end_after' | 'min_frames'>;
  /** Zones and masks per camera name (the camera config fits); cameras not listed have none. */
  cameras: Record<string, CameraEventsConfig>;
  bus: EventBus;
  store: EventStore;
  snapshots: SnapshotStore;
  log: EventLog;
  logger: Logger;
  /** Box colours on snapshots, by kind (EventKinds.colour). */
  colourOf?: ColourOf;
  /** Seconds since the epoch; tests pass a fake clock. */
  now?: () => number;
  /** How often (ms) unseen objects are checked for having ended; 0 leaves it to tick() (tests). */
  tickMs?: number;
  /**
   * Just before a message goes on the bus, with the capture time (ms) of the frame that raised it
   * (undefined for an end by timeout): the stats' frame→event and frame→MQTT latencies, since the
   * snapshot is written first and the message leaves well after `handle` returned.
   */
  onMessage?: (message: EventMessage, frameTime: number | undefined) => void;
  /**
   * Each detection that belongs to an event, with its binary attributes (an unknown face's
   * embedding and crop) that the event's JSON leaves out, and the frame time (seconds): the
   * "Who is this?" page keeps strangers' faces from here. A throw is logged, never fatal.
   */
  onDetection?: (event: ArgusEvent, detection: Detection, time: number) => void;
}

/** The best frame seen so far for an event, kept until it is rendered. */
interface SnapshotCandidate {
  version: number;
  score: number;
  image: RgbImage;
  detections: Detection[];
  box: EventBox;
}

/**
 * An open event is in view while it was seen this recently (seconds): a few analysed frames, or
 * still looks (motion.still_interval), however busy the machine; it stays open `end_after`.
 */
const IN_VIEW_S = 3;

/** A tracked object: pending until it may start an event, then the event's live state. */
interface TrackedEvent {
  event: ArgusEvent | null;
  /** When its object was last seen (seconds). */
  lastSeen: number;
  entered: Set<string>;
  current: string[];
  candidate: SnapshotCandidate | null;
  rendered: number;
  /** Writes for one event run in order: snapshot, row, log line, then the bus. */
  chain: Promise<void>;
}

interface CameraState {
  tracker: Tracker;
  objects: Map<number, TrackedEvent>;
  /** The ids (and zones) last said to be in view (`inView` on the bus), joined. */
  inView: string;
}

function newEventId(startTime: number): string {
  const random = randomBytes(4).readUInt32BE().toString(36).padStart(6, '0').slice(-6);
  return `${startTime.toFixed(3)}-${random}`;
}

/** Event JSON goes to SQLite, MQTT and the log: binary attributes (a face's crop bytes, its embedding) stay out. */
function plainAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)));
}

const sameZones = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((z, i) => z === b[i]);

/**
 * Turns analyzed frames into events: per camera it tracks objects, ignores masked ones, follows
 * zones, starts an event once an object was seen in `min_frames` frames, sends `update` when the score rises, a name is recognised or the
 * zones change, and `end` once it has been unseen for `end_after` seconds. Each message is
 * written (snapshot, SQLite, JSONL) before it goes on the bus, so listeners can read it back.
 */
export class EventManager {
  private readonly cameras = new Map<string, CameraState>();
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private running = false;
  private snapshotVersion = 0;
  /** The capture time of the frame `handle` is on, so the messages it queues know it (onMessage). */
  private frameTime: number | undefined;
  private readonly writing = new Set<Promise<void>>();
  private readonly areas = new Map<string, CameraAreas>();
  private readonly renderer: SnapshotRenderer;
  private readonly failures: WriteFailures;

  constructor(private readonly opts: EventManagerOptions) {
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.renderer = new SnapshotRenderer(opts.colourOf);
    this.failures = new WriteFailures(opts.logger);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const closed = this.opts.store.closeInterrupted();
    if (closed.length > 0) this.opts.logger.warn(`${closed.length} event(s) left open by the last run were ended at their last update`);
    // Their `end` in the daily log too, so an event's history ends; not on the bus: the outputs would
    // take a sighting from hours ago for one now (a person "home" on a camera they left).
    for (const event of closed) this.track(this.logEnd(event));
    this.opts.bus.on(this, 'personRenamed', ({ from, to }) => this.renamed(from, to));
    const every = this.opts.tickMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => this.tick(), every);
      this.timer.unref();
    }
  }

  /** Ends every open event (as last seen) and waits until all writes are done. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    this.opts.bus.removeAll(this);
    for (const camera of this.cameras.values()) for (const track of camera.tracker.clear()) this.finish(camera, track);
    await this.flush();
    this.cameras.clear();
  }

  /**
   * Ends now, as last seen, the camera's events of a kind whose cause is over (an exam session
   * stopped): without this they stay open `end_after` seconds, and Home Assistant's sensor ON.
   */
  endKind(cameraName: string, kind: string): void {
    const camera = this.cameras.get(cameraName);
    if (!this.running || !camera) return;
    for (const track of camera.tracker.remove((t) => t.detection.kind === kind)) this.finish(camera, track);
    this.reportInView(cameraName, camera, this.now());
  }

  /** Whether events are not being stored for a full data disk (the health check says so). */
  get diskFull(): boolean {
    return this.failures.diskFull;
  }

  /** Whether objects are followed on the camera now (an event open, or an object not yet one). */
  following(camera: string): boolean {
    return (this.cameras.get(camera)?.objects.size ?? 0) > 0;
  }

  /** Per camera, the open events seen in the last IN_VIEW_S seconds: what each camera sees now. */
  inView(now = this.now()): Record<string, ArgusEvent[]> {
    const out: Record<string, ArgusEvent[]> = {};
    for (const [name, camera] of this.cameras) out[name] = this.inViewOf(camera, now).map((t) => structuredClone(t.event!));
    return out;
  }

  /** Ids of events still going on (their snapshots must not be pruned). */
  activeIds(): Set<string> {
    const ids = new Set<string>();
    for (const camera of this.cameras.values()) for (const t of camera.objects.values()) if (t.event) ids.add(t.event.id);
    return ids;
  }

  /**
   * Past and open events of a renamed person carry the new name. Writes already queued hold the
   * old one, so the stored rows are renamed again once those are done (else a visit going on
   * during a rename kept the old name).
   */
  renamed(from: string, to: string): void {
    // As SQLite's NOCASE, which the registry's names and the store use: ASCII letters only.
    const fold = (name: string) => name.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const same = (name: string | null) => name !== null && fold(name) === fold(from);
    for (const camera of this.cameras.values()) for (const t of camera.objects.values()) if (t.event && same(t.event.sub_label)) t.event.sub_label = to;
    this.opts.store.rename(from, to);
    const queued = [...this.writing];
    if (queued.length > 0) void Promise.all(queued).then(() => this.storeRename(from, to));
  }

  private storeRename(from: string, to: string): void {
    try {
      this.opts.store.rename(from, to);
    } catch (err) {
      this.opts.logger.warn({ err }, `events written during the renaming of "${from}" may still say "${from}"`);
    }
  }

  /** Resolves once every write queued so far has finished. */
  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  /** One analyzed frame of one camera. Ignored unless started. */
  handle(analyzed: AnalyzedFrame): void {
    if (!this.running) return;
    const { frame } = analyzed;
    const time = frame.time / 1000;
    this.frameTime = frame.time;
    const camera = this.cameraState(analyzed.camera);
    const areas = this.areasOf(analyzed.camera, frame.width, frame.height);
    const detections = analyzed.detections.filter((d) => !areas.masked(d.box));
    for (const track of camera.tracker.update(detections, time)) {
      let tracked = camera.objects.get(track.id);
      if (!tracked) {
        tracked = { event: null, lastSeen: time, entered: new Set(), current: [], candidate: null, rendered: 0, chain: Promise.resolve() };
        camera.objects.set(track.id, tracked);
      }
      tracked.lastSeen = track.lastSeen;
      this.follow(analyzed.camera, areas, track, tracked, { width: frame.width, height: frame.height, data: frame.data }, detections);
    }
    this.frameTime = undefined;
    this.expire(camera, time);
    this.reportInView(analyzed.camera, camera, time);
  }

  /** Ends events whose objects have been unseen for `end_after` seconds (also run by a timer). */
  tick(now = this.now()): void {
    if (!this.running) return;
    for (const [name, camera] of this.cameras) {
      this.expire(camera, now);
      this.reportInView(name, camera, now);
    }
  }

  /**
   * The zones a box stands in on a camera, at its detect size: what the analyzers' `required_zones`
   * check (FrameAnalyzer's `zonesOf`). With a label, zones listing `objects` count only those.
   */
  zonesOf(camera: string, box: EventBox, label?: string): string[] {
    return this.areasOf(camera).zonesOf(box, label);
  }

  private cameraState(name: string): CameraState {
    let camera = this.cameras.get(name);
    if (!camera) {
      camera = { tracker: new Tracker(), objects: new Map(), inView: '' };
      this.cameras.set(name, camera);
    }
    return camera;
  }

  /** Fractional zone coordinates depend on the frame size, so areas are resolved per size. */
  private areasOf(camera: string, width?: number, height?: number): CameraAreas {
    const config = this.opts.cameras[camera] ?? {};
    const w = width ?? config.detect?.width ?? 0;
    const h = height ?? config.detect?.height ?? 0;
    const key = `${camera}\n${w}x${h}`;
    let areas = this.areas.get(key);
    if (!areas) {
      areas = new CameraAreas(config, w, h);
      this.areas.set(key, areas);
    }
    return areas;
  }

  private follow(cameraName: string, areas: CameraAreas, track: Track, tracked: TrackedEvent, image: RgbImage, detections: Detection[]): void {
    const d = track.detection;
    const current = areas.zonesOf(d.box, d.label);
    const newZone = current.some((z) => !tracked.entered.has(z));
    for (const z of current) tracked.entered.add(z);
    const zonesChanged = newZone || !sameZones(current, tracked.current);
    tracked.current = current;
    const better = !tracked.candidate || d.score > tracked.candidate.score;
    if (better && (tracked.event || track.hits >= this.opts.config.min_frames)) {
      // A copy: the frame's buffer may be handed on (to a worker) after this call.
      tracked.candidate = {
        version: ++this.snapshotVersion,
        score: d.score,
        image: { width: image.width, height: image.height, data: Buffer.from(image.data) },
        detections,
        box: d.box,
      };
    }

    const event = tracked.event;
    if (!event) {
      if (track.hits < this.opts.config.min_frames) return;
      tracked.event = {
        id: newEventId(track.firstSeen),
        camera: cameraName,
        kind: d.kind,
        label: d.label,
        sub_label: d.sub_label ?? null,
        score: d.score,
        top_score: d.score,
        box: d.box,
        zones: [...tracked.entered],
        current_zones: current,
        start_time: track.firstSeen,
        end_time: null,
        snapshot: null,
        attributes: d.attributes ? plainAttributes(d.attributes) : {},
      };
      this.enqueue(tracked, 'start');
      this.detected(tracked.event, d, track.lastSeen);
      return;
    }
    const rose = d.score > event.top_score;
    const named = !!d.sub_label && d.sub_label !== event.sub_label;
    event.score = d.score;
    event.top_score = Math.max(event.top_score, d.score);
    event.box = d.box;
    if (named) event.sub_label = d.sub_label!;
    if (d.attributes) event.attributes = { ...event.attributes, ...plainAttributes(d.attributes) };
    event.zones = [...tracked.entered];
    event.current_zones = current;
    if (rose || named || zonesChanged) this.enqueue(tracked, 'update');
    this.detected(event, d, track.lastSeen);
  }

  private detected(event: ArgusEvent, d: Detection, time: number): void {
    try {
      this.opts.onDetection?.(event, d, time);
    } catch (err) {
      this.opts.logger.warn({ err }, `could not keep a detection of event ${event.id}`);
    }
  }

  /**
   * Tells the bus when the camera's open events seen in the last IN_VIEW_S seconds changed: a
   * count of what is in view now, where open events also hold those that left (until `end_after`)
   * and a track split in two by a cut counts twice until its first half ends.
   */
  private reportInView(name: string, camera: CameraState, now: number): void {
    const seen = this.inViewOf(camera, now).map((t) => t.event!);
    // The zones too: a zone's count changes when someone in view walks into it.
    const key = seen.map((e) => `${e.id}:${(e.current_zones ?? []).join('+')}`).join(',');
    if (key === camera.inView) return;
    camera.inView = key;
    this.opts.bus.emit('inView', { camera: name, events: seen.map((e) => structuredClone(e)) });
  }

  private inViewOf(camera: CameraState, now: number): TrackedEvent[] {
    return [...camera.objects.values()].filter((t) => t.event && now - t.lastSeen <= IN_VIEW_S);
  }

  private expire(camera: CameraState, now: number): void {
    for (const track of camera.tracker.expire(now, this.opts.config.end_after)) this.finish(camera, track);
  }

  private finish(camera: CameraState, track: Track): void {
    const tracked = camera.objects.get(track.id);
    camera.objects.delete(track.id);
    if (!tracked?.event) return;
    tracked.event.end_time = track.lastSeen;
    tracked.event.current_zones = [];
    this.enqueue(tracked, 'end');
  }

  private enqueue(tracked: TrackedEvent, type: EventPhase): void {
    const event = tracked.event!;
    const state: ArgusEvent = { ...event, box: [...event.box] as EventBox, zones: [...event.zones], current_zones: [...(event.current_zones ?? [])] };
    const frameTime = this.frameTime;
    const written = tracked.chain.then(() => this.write(tracked, type, state, frameTime));
    tracked.chain = written;
    this.track(written);
  }

  /** A write that flush() and stop() wait for. */
  private track(written: Promise<void>): void {
    this.writing.add(written);
    void written.then(() => this.writing.delete(written));
  }

  private async logEnd(event: ArgusEvent): Promise<void> {
    try {
      await this.opts.log.append({ type: 'end', event }, event.end_time ?? this.now());
    } catch (err) {
      this.failures.failed(`could not append the end of event ${event.id} to the daily log`, err, 'warn');
    }
  }

  /** Never rejects: a failed snapshot or row is logged, and the message still reaches the bus. */
  private async write(tracked: TrackedEvent, type: EventPhase, event: ArgusEvent, frameTime: number | undefined): Promise<void> {
    const candidate = tracked.candidate;
    if (candidate && candidate.version > tracked.rendered) {
      try {
        await this.opts.snapshots.save(event.id, await this.renderer.render(candidate.image, candidate.detections, candidate.box));
        tracked.rendered = candidate.version;
        tracked.event!.snapshot = `events/${event.id}/snapshot.jpg`;
        if (tracked.candidate === candidate) tracked.candidate = { ...candidate, image: { width: 0, height: 0, data: Buffer.alloc(0) } };
      } catch (err) {
        this.failures.failed(`could not save the snapshot of event ${event.id}`, err, 'warn');
      }
    }
    event.snapshot = tracked.event!.snapshot;
    const message: EventMessage = { type, event };
    try {
      this.opts.store.save(event, this.now());
      this.failures.succeeded();
    } catch (err) {
      this.failures.failed(`could not store event ${event.id} in the database`, err, 'error');
    }
    try {
      await this.opts.log.append(message, this.now());
    } catch (err) {
      this.failures.failed(`could not append event ${event.id} to the daily log`, err, 'warn');
    }
    this.opts.onMessage?.(message, frameTime);
    this.opts.bus.emit('event', message);
  }
}
