import type { EventBus } from '../../bus.js';
import type { ArgusEvent, EventBox } from '../../events/event.js';
import type { Logger } from '../../log.js';
import { FrigateApi } from './frigate-api.js';
import type { CameraStatus } from '../frame.js';
import { parseFrigateEvent, snapshotBox, snapshotTime, subLabelOf, zonesOf, type FrigateEventState } from './frigate-event.js';

/** What Argus' models make of one Frigate snapshot. */
export interface FrigateAnalysis {
  /** The recognised person's name; null when no face was recognised. */
  name: string | null;
  similarity?: number;
  /** Where the face was, when one was found (recognised or not). */
  faceBox?: EventBox;
  /** How sure the face detector was of that face: the event's score, as for a camera's face (absent: the similarity). */
  faceScore?: number;
}

/**
 * Analyses one snapshot of an event: `person` is the event's object in it (its box, drawn on a frame
 * of `width`×`height` when Frigate's detect size is known, else on the snapshot itself), so that in
 * a frame of two people the face looked at is this person's.
 */
export type AnalyzeSnapshot = (
  jpeg: Buffer,
  frigateCamera: string,
  person?: { box: [number, number, number, number]; width?: number; height?: number },
) => Promise<FrigateAnalysis>;

/** Only the subscribe half of an MQTT connection is needed (Frigate's broker may not be Argus' own). */
export interface MqttSubscriber {
  subscribeExternal(filter: string, handler: (topic: string, payload: Buffer) => void): () => void;
}

export interface FrigateSourceOptions {
  mqtt: MqttSubscriber;
  frigateUrl: string;
  topicPrefix: string;
  labels: string[];
  /** Frigate cameras to watch; empty or absent: all. */
  cameras?: string[];
  analyzeSnapshot: AnalyzeSnapshot;
  bus: EventBus;
  logger: Logger;
  snapshotAttempts?: number;
  retryMs?: number;
  setSubLabel?: boolean;
  /** Replace a sub label the event already has (Frigate's own face recognition, another tool); off keeps theirs. */
  overwriteSubLabel?: boolean;
  /**
   * Keeps an event before it goes on the bus, as the event manager keeps a camera's: its row, and
   * with a start (or an update that named it) the analysed snapshot as its picture. Returns the
   * event as kept (`snapshot` set). A throw is logged and the event still goes on the bus.
   */
  keep?: (event: ArgusEvent, jpeg: Buffer | undefined) => Promise<ArgusEvent>;
  /**
   * The Argus event kept for an id, if any: an event Frigate still tracks across Argus' restart
   * goes on as the one already announced (no second start, no second "face recognised").
   */
  kept?: (argusEventId: string) => ArgusEvent | null;
  /** Seconds without a word from Frigate after which a tracked event is ended (its `end` may never come). */
  staleAfter?: number;
  /** Seconds since the epoch (tests pass a fake clock). */
  now?: () => number;
}

/**
 * Frigate sends no `end` for an event open while it restarted, and a QoS 0 message can be lost:
 * an event not heard of this long is ended at its last word (a person in view keeps sending updates).
 */
const STALE_AFTER_S = 1800;

/** An event that keeps getting better snapshots is analyzed at most this often. */
const MAX_ANALYSES_PER_EVENT = 10;

/** What Argus tracks per Frigate event; every event is independent of the others. */
interface Tracked {
  frigate: FrigateEventState;
  analyzing: boolean;
  /** A newer snapshot arrived while analyzing: analyze once more afterwards. */
  again: boolean;
  ended: boolean;
  analyses: number;
  lastSnapshotTime: number | null;
  open: Map<string, ArgusEvent>;
  name: string | null;
  jpeg?: Buffer;
  /** When Frigate last said something of it (seconds). */
  heard: number;
}

/** The id of the Argus event made of a Frigate event (`face`: its face). */
const argusId = (frigateId: string, suffix: string) => `frigate-${frigateId}-${suffix}`;

/**
 * Frigate as a source: on `<prefix>/events` `new`/`update` for a watched label, fetches the
 * event's snapshot, runs Argus' analysis on it, emits Argus events for faces and weapons like
 * any Argus camera, and writes a recognised name back as Frigate's sub label.
 */
export class FrigateSource {
  private readonly api: FrigateApi;
  private readonly tracked = new Map<string, Tracked>();
  private unsubscribe?: () => void;
  private known: string[] = [];
  /** Frigate's list was read (by cameras() before start()): start() need not ask again. */
  private listed = false;
  private staleTimer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: FrigateSourceOptions) {
    this.api = new FrigateApi({ url: opts.frigateUrl, attempts: opts.snapshotAttempts ?? 3, retryMs: opts.retryMs ?? 1000 });
    this.now = opts.now ?? (() => Date.now() / 1000);
  }

  /**
   * The Frigate cameras Argus watches (Frigate's own list, narrowed by `cameras`), so they get
   * HA devices before their first event: reported on the bus (`sourceCameras`, complete) and remembered.
   */
  async cameras(): Promise<string[]> {
    const all = await this.api.cameraNames();
    const only = this.opts.cameras;
    const seen = this.known;
    this.known = only?.length ? all.filter((c) => only.includes(c)) : all;
    // Cameras seen in events while the answer was on its way are Frigate's too.
    for (const c of seen) if (!this.known.includes(c)) this.known.push(c);
    this.listed = true;
    this.opts.bus.emit('sourceCameras', { source: 'frigate', cameras: [...this.known], complete: true });
    for (const name of this.known) this.opts.bus.emit('cameraStatus', frigateCameraStatus(name, true));
    return this.known;
  }

  /**
   * Subscribes to Frigate's events and asks Frigate for its cameras (without waiting: Frigate
   * may be down; a camera is then learnt from its first event). Their streams are Frigate's business.
   */
  start(): void {
    this.unsubscribe = this.opts.mqtt.subscribeExternal(`${this.opts.topicPrefix}/events`, (_t, payload) => this.onMessage(payload));
    if (!this.listed)
      this.cameras().catch((err: Error) => this.opts.logger.warn(`Frigate's camera list: ${err.message}; cameras get their Home Assistant device at their first event`));
    this.staleTimer = setInterval(() => this.endStale(), 60_000);
    this.staleTimer.unref();
  }

  /** Ends every event still open (as Argus' cameras' are at a stop), then the cameras go down. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.staleTimer);
    const open = [...this.tracked.values()];
    this.tracked.clear();
    for (const t of open) await this.finish(t, this.now());
    for (const name of this.known) this.opts.bus.emit('cameraStatus', frigateCameraStatus(name, false));
  }

  /** Ends the events Frigate has said nothing of for `staleAfter` seconds, at their last word. */
  endStale(now = this.now()): void {
    const after = this.opts.staleAfter ?? STALE_AFTER_S;
    for (const t of [...this.tracked.values()]) {
      if (t.analyzing || now - t.heard < after) continue;
      this.opts.logger.info(`Frigate event ${t.frigate.id} on ${t.frigate.camera}: nothing heard of it for ${Math.round(after / 60)} min; ended`);
      void this.finish(t, t.heard);
    }
  }

  /** The last snapshot analyzed for an Argus event that came from Frigate (for the HA image entity). */
  snapshot(argusEventId: string): Buffer | undefined {
    for (const t of this.tracked.values()) if (t.open.has(argusEventId)) return t.jpeg;
    return undefined;
  }

  private onMessage(payload: Buffer): void {
    const msg = parseFrigateEvent(payload);
    if (!msg) return;
    const { after } = msg;
    const { labels, cameras } = this.opts;
    if (cameras?.length && !cameras.includes(after.camera)) return;
    if (!this.known.includes(after.camera)) {
      // A camera added to Frigate since its list was read: it gets its HA device now.
      this.known.push(after.camera);
      this.opts.bus.emit('sourceCameras', { source: 'frigate', cameras: [after.camera], complete: false });
      this.opts.bus.emit('cameraStatus', frigateCameraStatus(after.camera, true));
    }
    if (!labels.includes(after.label)) return;
    let t = this.tracked.get(after.id);
    if (msg.type === 'end') {
      if (!t) return;
      t.frigate = after;
      t.ended = true;
      if (!t.analyzing) void this.finish(t);
      return;
    }
    if (!t) {
      t = { frigate: after, analyzing: false, again: false, ended: false, analyses: 0, lastSnapshotTime: null, open: new Map(), name: null, heard: this.now() };
      this.resume(t);
      this.tracked.set(after.id, t);
    }
    t.frigate = after;
    t.heard = this.now();
    if (t.name !== null || t.analyses >= MAX_ANALYSES_PER_EVENT) return;
    const snap = snapshotTime(after);
    if (t.analyses > 0 && snap !== null && snap === t.lastSnapshotTime) return;
    if (t.analyzing) {
      t.again = true;
      return;
    }
    void this.analyze(t);
  }

  /** An event Argus announced before a restart goes on as that one: named, it is not analysed again. */
  private resume(t: Tracked): void {
    const before = this.opts.kept?.(argusId(t.frigate.id, 'face'));
    if (!before) return;
    t.open.set(before.id, { ...before, end_time: null });
    t.name = before.sub_label;
  }

  private async analyze(t: Tracked): Promise<void> {
    const { logger } = this.opts;
    t.analyzing = true;
    try {
      do {
        t.again = false;
        t.analyses++;
        t.lastSnapshotTime = snapshotTime(t.frigate);
        const id = t.frigate.id;
        try {
          const jpeg = await this.api.snapshot(id);
          t.jpeg = jpeg;
          const box = snapshotBox(t.frigate);
          const size = this.api.detectSizes.get(t.frigate.camera);
          const result = await this.opts.analyzeSnapshot(jpeg, t.frigate.camera, box && { box, ...size });
          await this.emit(t, result);
          if (result.name !== null && t.name === null) {
            t.name = result.name;
            const theirs = subLabelOf(t.frigate);
            if (theirs !== null && theirs !== result.name && !this.opts.overwriteSubLabel) {
              logger.info(`Frigate event ${id} on ${t.frigate.camera}: recognised ${result.name}; kept the sub label "${theirs}" it already had (frigate.overwrite_sub_label)`);
            } else if ((this.opts.setSubLabel ?? true) && theirs !== result.name) {
              await this.api.setSubLabel(id, result.name, result.similarity);
              logger.info(`Frigate event ${id} on ${t.frigate.camera}: recognised ${result.name}; sub label set`);
            }
          }
        } catch (err) {
          logger.warn(`Frigate event ${id}: ${(err as Error).message}`);
        }
      } while (t.again && !t.ended && t.name === null && t.analyses < MAX_ANALYSES_PER_EVENT);
    } finally {
      t.analyzing = false;
      if (t.ended) await this.finish(t);
    }
  }

  private async emit(t: Tracked, result: FrigateAnalysis): Promise<void> {
    const f = t.frigate;
    const base = (suffix: string, over: Partial<ArgusEvent> & Pick<ArgusEvent, 'kind' | 'label'>): ArgusEvent => ({
      id: argusId(f.id, suffix),
      camera: f.camera,
      sub_label: null,
      score: 0,
      top_score: 0,
      box: f.box ?? [0, 0, 0, 0],
      zones: zonesOf(f),
      start_time: f.start_time,
      end_time: null,
      snapshot: null,
      ...over,
      attributes: { source: 'frigate', frigate_event_id: f.id, frigate_label: f.label, ...over.attributes },
    });
    if (result.name !== null || result.faceBox) {
      // a camera's face event scores the face's detection (its similarity is an attribute); a stranger has no similarity
      const score = result.faceScore ?? result.similarity ?? 0;
      const face = base('face', {
        kind: 'face',
        label: 'face',
        sub_label: result.name,
        score,
        top_score: score,
        box: result.faceBox ?? f.box ?? [0, 0, 0, 0],
        attributes: { similarity: result.similarity ?? null },
      });
      await this.send(t, face);
    }
  }

  /** Start for a new Argus event, update when what it says changed (an unknown face gets a name). */
  private async send(t: Tracked, found: ArgusEvent): Promise<void> {
    const before = t.open.get(found.id);
    if (before && before.sub_label === found.sub_label && found.score <= before.top_score) return;
    const event = before
      ? { ...found, sub_label: found.sub_label ?? before.sub_label, top_score: Math.max(before.top_score, found.score), start_time: before.start_time, snapshot: before.snapshot }
      : found;
    // the picture of the snapshot that started it, or that named it
    const kept = await this.kept(event, !before || event.sub_label !== before.sub_label ? t.jpeg : undefined);
    t.open.set(kept.id, kept);
    this.opts.bus.emit('event', { type: before ? 'update' : 'start', event: kept });
  }

  private async finish(t: Tracked, at?: number): Promise<void> {
    this.tracked.delete(t.frigate.id);
    const end = t.frigate.end_time ?? at ?? this.now();
    for (const event of t.open.values()) {
      // with the zones entered since the face was analysed (updates after a name are not analysed)
      const zones = [...new Set([...event.zones, ...zonesOf(t.frigate)])];
      this.opts.bus.emit('event', { type: 'end', event: await this.kept({ ...event, zones, end_time: end }, undefined) });
    }
  }

  private async kept(event: ArgusEvent, jpeg: Buffer | undefined): Promise<ArgusEvent> {
    if (!this.opts.keep) return event;
    try {
      return await this.opts.keep(event, jpeg);
    } catch (err) {
      this.opts.logger.warn(`could not keep event ${event.id}: ${(err as Error).message}`);
      return event;
    }
  }
}

function frigateCameraStatus(name: string, connected: boolean): CameraStatus {
  return { name, enabled: true, connected, fps: 0, framesReceived: 0, framesDropped: 0, reconnects: 0, lastError: null, lastFrameTime: null, width: 0, height: 0 };
}
