import { z } from 'zod';
import type { ArgusEvent } from '../events/event.js';
import type { Detection } from '../events/analyzed-frame.js';
import type { Logger } from '../log.js';
import type { FaceDetection, ObjectDetection } from '../models/detection.js';
import type { Detector, ModelFamily } from '../models/detector.js';
import type { RoutePlugin } from '../server/app.js';
import type { SnapshotUrl } from '../server/snapshot-links.js';
import type { Frame } from '../sources/frame.js';
import type { Db } from '../store/database.js';
import type { EventStore } from '../store/events.js';
import type { ReferencePose } from '../store/poses.js';
import type { RgbImage } from '../vision/image.js';
import { parseSchedule } from './schedule.js';
import type { PersonBox } from './person/from-faces.js';

/**
 * The shape every analyzer has (weapon, person, faces, pose, …). An analyzer is one folder with an
 * `index.ts` that exports one of these, plus one line in `list.ts`: event kinds, HA entities,
 * Telegram alert kinds, the API's kind filter and the config schema all come from that list.
 */
export interface Analyzer<Name extends string = string, Config = unknown, CameraExtra = unknown> {
  /** The key under `analyzers:` and `cameras.<name>.analyzers:`. */
  readonly name: Name;
  /** Options under `analyzers.<name>` (every field defaulted, so `{}` parses). */
  readonly config: z.ZodType<Config>;
  /** Extra per-camera options beside `enabled`, `schedule` and `required_zones`. */
  readonly cameraConfig?: z.ZodRawShape;
  /**
   * Whether it runs on a camera whose config does not say (`cameras.<name>.analyzers.<name>.enabled`);
   * default true. An analyzer a household would not want (proctoring) is off until a camera turns it on.
   */
  readonly enabledByDefault?: boolean;
  /**
   * Runs on every frame Argus analyses, even when it is behind (weapons, watched objects): what a
   * household must not miss a frame of. The others (persons, faces, poses, proctoring) sit out
   * frames while Argus cannot keep up, so these keep up (`analyzers.under_load`, scheduler.ts).
   */
  readonly essential?: boolean;
  /**
   * Why its options leave it nothing to do ("no labels to watch …"), or null when they do not:
   * idle, it runs on no camera and offers no entities, and the Cameras page says why.
   */
  idle?(config: Config): string | null;
  /** Model families that must be loaded for it to run (it is skipped, not failed, without them). */
  readonly needs: readonly ModelFamily[];
  /**
   * The object labels it reads from `frame.objects()` besides `person`: live frames compute only
   * the classes some analyzer reads (live-labels.ts), so a label left out here is never found.
   */
  objectLabels?(config: Config): readonly string[];
  /** The event kinds its detections carry, with how outputs show them. */
  readonly kinds: readonly EventKindSpec[];
  /**
   * Entities its options add to its kinds, by kind: one pair per watched label (a `dog`
   * occupancy and count beside the kind's own entities), as Frigate offers per object.
   */
  entitiesFor?(config: Config): Readonly<Record<string, readonly EntitySpec[]>>;
  /**
   * What it adds beside frames, built once at start-up (exam sessions, training, their routes, an
   * HA switch, a timer); its `shared` reaches `create` as `deps.shared`. Absent for most analyzers.
   */
  parts?(context: PartsContext): AnalyzerParts;
  /** Its state on one camera (confirmations, visits, falls). Method syntax: each analyzer narrows the deps. */
  create(deps: AnalyzerDeps<Config, CameraExtra>): CameraAnalyzer;
}

/** What main.ts hands an analyzer's `parts`. */
export interface PartsContext {
  db: Db;
  /** Per camera its `cameras.<name>.analyzers.<this analyzer>` options, parsed, for the cameras that run it. */
  cameras: Record<string, CameraAnalyzerBase & Record<string, unknown>>;
  /** Every configured camera's name (a route may name one that does not run the analyzer, to say so). */
  allCameras: readonly string[];
  /** A camera's newest decoded frame, for captures. */
  latestFrame(camera: string): Frame | undefined;
  events: EventStore;
  snapshotUrl?: SnapshotUrl;
  /** The names enrolled in the face registry now (absent: no registry, as in the CLI). */
  enrolled?: () => readonly string[];
  /** An event's clean crop (`crop.jpg`), for what keeps pictures (the proctor's saved report). */
  loadPicture?: (eventId: string) => Promise<Buffer | undefined>;
  /** Ends the camera's open events of a kind now, not `events.end_after` later (their cause is over). */
  endEvents?: (camera: string, kind: string) => void;
  logger: Logger;
}

/** An analyzer's parts beside frames; main.ts mounts the routes, registers the switches, and starts and stops it. */
export interface AnalyzerParts {
  /** Handed to every camera's `create` as `deps.shared`. */
  shared?: unknown;
  /** API route groups (`route(plugin, prefix, opts)` from src/server/app.ts). */
  routes?: RoutePlugin[];
  /** The controls behind its kinds' `switch` entities, by entity key. */
  switches?: Record<string, SwitchControl>;
  start?(): void;
  stop?(): void | Promise<void>;
}

/** An analyzer of any config: what lists and outputs hold. */
export type AnyAnalyzer = Analyzer<string, unknown, unknown>;

/** What main.ts hands every analyzer; each takes what it needs. */
export interface AnalyzerServices {
  models: AnalyzerModels;
  /** The registry's matcher: the enrolled person at or above its threshold, or null for a stranger. */
  matchFace: MatchFace;
  /** The saved reference poses (read each frame, so a newly saved pose counts at once). */
  references: () => readonly ReferencePose[];
  logger: Logger;
}

/** Whether a camera is inside a session now (started and stopped over the API, MQTT or HA). */
export interface SessionsView {
  active(camera: string): { id: string } | null;
}

/** `personId`: the registry's id of the person, which a rename keeps (their name changes, their visit does not). */
export type MatchFace = (embedding: Float32Array) => { name: string; similarity: number; personId?: number } | null;
export type AnalyzerModels = Pick<Detector, 'detectObjects' | 'detectFaces' | 'embedFace' | 'detectPoses' | 'followPoses' | 'has'>;

export interface AnalyzerDeps<Config, CameraExtra> extends AnalyzerServices {
  /** Its own `parts().shared`, when it has parts and main.ts built them (the CLI does not). */
  shared?: unknown;
  camera: string;
  config: Config;
  cameraConfig: CameraAnalyzerBase & CameraExtra;
}

/** One analyzer on one camera. */
export interface CameraAnalyzer {
  /** Detections of its own kinds in this frame; called for every analyzed frame while active. */
  analyze(frame: FrameContext): Promise<Detection[]> | Detection[];
  /** Forget state (its schedule switched it off). */
  reset?(): void;
}

/** One analyzed frame as analyzers see it: the pixels, and scene facts computed once for all of them. */
export interface FrameContext {
  camera: string;
  /** Milliseconds since the epoch. */
  time: number;
  img: RgbImage;
  /** Every object in the frame (the object model runs at most once a frame). */
  objects(): Promise<readonly ObjectDetection[]>;
  /**
   * People, surest first: the object detector's above `analyzers.person`'s thresholds and, where an
   * active analyzer needs faces, those a face confirms or gives (src/analyzers/person/persons.ts).
   */
  persons(): Promise<readonly PersonBox[]>;
  /** Every face in the frame (whole frame, tiles around faceless people, each checked); none without the face models. */
  faces(): Promise<readonly FaceDetection[]>;
  /** What the analyzers before this one in the list reported for this frame. */
  readonly earlier: readonly Detection[];
}

/** An event kind, and what each output makes of it. */
export interface EventKindSpec {
  kind: string;
  /** Box colour on snapshots, `#rrggbb`. */
  colour: string;
  /** The object label zones and masks test (faces and poses stand where their person stands). */
  zoneLabel?: string;
  /** Urgent kinds skip quiet hours, the HA alert gate and batching, and are dropped last from the outbox. */
  urgent?: boolean;
  /** The Telegram alert kinds it offers; a chat subscribes to these names. The first that matches an event wins. */
  alerts: readonly AlertSpec[];
  /** Per-camera Home Assistant entities derived from its events. */
  entities: readonly EntitySpec[];
}

export interface AlertSpec {
  name: string;
  icon: string;
  /** Whether an event is of this alert kind (absent: every event of the kind). */
  matches?(event: ArgusEvent): boolean;
  /** A broader alert kind whose chats hear of these too: a chat that chose `pose` before `fall` existed still gets falls. */
  within?: string;
  /** Urgent like its event kind (see `EventKindSpec.urgent`), for this alert kind alone: a fall, not every pose. */
  urgent?: boolean;
  /** Its alerts offer "Add to faces…" (the event's crop holds a face to enrol). */
  enrol?: boolean;
  /** Seconds between two messages of this kind for a camera, instead of `telegram.cooldown` (a proctor acts on each incident). */
  cooldown?: number;
  /** The caption's headline for one event or a burst of them: "Person", "3 people", "Weapon (knife)". */
  headline(events: readonly ArgusEvent[]): string;
  /**
   * The caption's `Who:` line, when its events' `sub_label` is not a person's name (a proctor
   * incident's is its seat); null leaves the line out. Absent: the names, or "unknown person".
   */
  who?(events: readonly ArgusEvent[]): string | null;
}

type Fields = Record<string, unknown>;
interface EntityBase {
  /** Unique within a camera; the state topic is `<base>/<camera>/<key>` and the unique id `argus_<camera>_<key>`. */
  key: string;
  name: string;
  /** Extra discovery fields (device_class, icon, state_class, …). */
  fields?: Fields;
}
/** ON while an open event of the kind passes `on`. */
export interface BinarySensorSpec extends EntityBase {
  platform: 'binary_sensor';
  on(event: ArgusEvent): boolean;
}
/** The number of open events of the kind that pass `counts` and are in view now (seen in the last few seconds). */
export interface CountSensorSpec extends EntityBase {
  platform: 'sensor';
  counts(event: ArgusEvent): boolean;
}
/** The last value an event of the kind gave (kept after the event ends), with attributes on `<key>/attributes`. */
export interface LastValueSensorSpec extends EntityBase {
  platform: 'sensor';
  last(event: ArgusEvent): { state: string; attributes: Fields } | null;
  /** Its state is a person's name: it follows a rename (or a merge) of that person. */
  names?: boolean;
}
/** An HA event entity, fired once per event and value of `fireOn` (null: not now). */
export interface EventEntitySpec extends EntityBase {
  platform: 'event';
  eventType: string;
  fireOn(event: ArgusEvent): string | null;
  /** Extra payload fields. */
  extra?(event: ArgusEvent): Fields;
}
/**
 * An HA switch whose state is not an event's: something the analyzer holds (an exam session).
 * Its state and commands go through the `SwitchControl` the analyzer's `parts().switches` gives
 * under the same key; a camera gets the switch when it raises the kind.
 */
export interface SwitchSpec extends EntityBase {
  platform: 'switch';
}
export type EntitySpec = BinarySensorSpec | CountSensorSpec | LastValueSensorSpec | EventEntitySpec | SwitchSpec;

/** What an analyzer switch reads and sets, per camera; `onChange` tells of changes made elsewhere (the API, a schedule). */
export interface SwitchControl {
  get(camera: string): boolean;
  set(camera: string, on: boolean): void;
  onChange(listener: (camera: string) => void): () => void;
}

/** `mon-fri 22:00-06:00`, checked when the config is read so a typo stops start-up with its reason. */
export const scheduleEntry = z.string().superRefine((s, ctx) => {
  try {
    parseSchedule(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** What every analyzer has per camera, under `cameras.<name>.analyzers.<analyzer>`. */
export const cameraAnalyzerBaseSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Active windows; empty means always. Outside them the analyzer does not run, so raises nothing. */
    schedule: z.array(scheduleEntry).default([]),
    /** Only detections inside one of these zones count (zones are defined under `cameras.<name>.zones`). */
    required_zones: z.array(z.string()).default([]),
  })
  .strict();
export type CameraAnalyzerBase = z.infer<typeof cameraAnalyzerBaseSchema>;

/** Declares an analyzer with its types checked, and erases them for the list. */
export function defineAnalyzer<Name extends string, Config, CameraExtra = unknown>(a: Analyzer<Name, Config, CameraExtra>): Analyzer<Name, Config, CameraExtra> {
  return a;
}

/**
 * An analyzer's options on one camera, defaults filled in (`cameras.<name>.analyzers.<analyzer>`),
 * and off wherever its global options (`analyzers.<analyzer>`) make it idle.
 */
export function analyzerOnCamera(analyzer: AnyAnalyzer, cameraOptions: unknown, globalOptions: unknown): CameraAnalyzerBase & Record<string, unknown> {
  const camera = cameraSchemaOf(analyzer).parse(cameraOptions ?? {});
  return camera.enabled && analyzer.idle?.(analyzer.config.parse(globalOptions ?? {})) ? { ...camera, enabled: false } : camera;
}

/** An analyzer's per-camera schema: the base keys plus its own (the cast only widens what `extend` already guarantees). */
export function cameraSchemaOf(analyzer: AnyAnalyzer): z.ZodType<CameraAnalyzerBase & Record<string, unknown>> {
  const enabled = analyzer.enabledByDefault === false ? { enabled: z.boolean().default(false) } : {};
  return cameraAnalyzerBaseSchema.extend({ ...enabled, ...analyzer.cameraConfig }) as unknown as z.ZodType<CameraAnalyzerBase & Record<string, unknown>>;
}
