import type { Detection } from '../events/analyzed-frame.js';
import type { Logger } from '../log.js';
import type { FaceDetection, ObjectDetection } from '../models/detection.js';
import type { MotionResult } from '../motion/motion-detector.js';
import type { Frame } from '../sources/frame.js';
import { rgbImage, type RgbImage } from '../vision/image.js';
import { type Box, iou } from '../vision/iou.js';
import { analyzerOnCamera, type AnalyzerServices, type AnyAnalyzer, type CameraAnalyzer, type CameraAnalyzerBase, type FrameContext } from './analyzer.js';
import type { AnalyzersConfig } from './config.js';
import { detectInRegions, motionRegions } from './motion-regions.js';
import { personSchema } from './person/config.js';
import type { PersonConfig } from './person/config.js';
import type { PersonBox } from './person/from-faces.js';
import { findPersons, surePersons } from './person/persons.js';
import type { LightAnalysis } from './scheduler.js';
import { Schedule } from './schedule.js';

export interface FrameAnalyzerOptions extends Omit<AnalyzerServices, 'logger'> {
  /** The analyzers, in the order they see a frame (`ANALYZERS` from list.ts). */
  analyzers: readonly AnyAnalyzer[];
  /** Each analyzer's `parts().shared`, by analyzer name, for those that have parts. */
  shared?: ReadonlyMap<string, unknown>;
  config: AnalyzersConfig;
  /** Per camera (`cameras.<name>.analyzers`); a camera not listed runs the defaults. */
  cameras: Record<string, Record<string, unknown>>;
  /**
   * The zones a box stands in (EventManager.zonesOf), for `required_zones`; without it, required
   * zones are not checked. The label is the object's, `person` for faces and poses.
   */
  zonesOf?: (camera: string, box: Box, label?: string) => string[];
  now: () => number;
  logger: Logger;
  /** An analyzer switched off on a camera from the web UI (AnalyzerSwitchStore.isOff): inactive, as if outside its schedule. */
  switchedOff?: (camera: string, analyzer: string) => boolean;
  /** A frame no analyzer was active for (all off, or outside their schedules): the stats count it skipped, not analyzed. */
  onIdle?: (camera: string) => void;
}

/** One analyzer on one camera: its per-camera options, schedule and state. */
interface Running {
  analyzer: AnyAnalyzer;
  camera: CameraAnalyzerBase;
  schedule: Schedule;
  state: CameraAnalyzer;
  wasActive: boolean;
}

/**
 * Runs the analyzers enabled for a frame's camera, in list order. Objects and faces are detected
 * at most once a frame (objects cropped around motion on large frames) and only when an active
 * analyzer asks; persons are the object detector's, plus those faces confirm or give.
 */
/** A camera's faces of its last analysed frame, for the next frame's check (FaceSearch.confirmed). */
interface FaceMemory {
  time: number;
  /** Each face of that frame, and how many frames in a row it was taken from the memory without a second look. */
  faces: Array<{ box: Box; skipped: number }>;
}

/** A face that stays put is looked at again once in this many frames (3: 0.36 fewer BlazeFace runs a clip frame than 2, the same faces; 4 saves no more). */
const LOOK_EVERY = 3;

/** The previous frame's faces stand for this long (a camera analysed once a second or more). */
const FACE_MEMORY_MS = 1000;

/** A face found where a remembered one was (BlazeFace's own rule for a confirmed face). */
const SAME_PLACE = 0.5;

export class FrameAnalyzer {
  private readonly perCamera = new Map<string, Running[]>();
  private readonly faceMemory = new Map<string, FaceMemory>();
  private readonly person: PersonConfig;
  private readonly zoneLabels = new Map<string, string>();

  constructor(private readonly opts: FrameAnalyzerOptions) {
    this.person = personSchema.parse(opts.config.person ?? {});
    for (const a of opts.analyzers) for (const k of a.kinds) if (k.zoneLabel) this.zoneLabels.set(k.kind, k.zoneLabel);
  }

  private camera(name: string): Running[] {
    const known = this.perCamera.get(name);
    if (known) return known;
    const configs = this.opts.cameras[name] ?? {};
    const { logger, analyzers, config, shared, zonesOf: _z, now: _n, onIdle: _i, switchedOff: _s, ...services } = this.opts;
    const list = analyzers.map((analyzer): Running => {
      // Parsing here too lets a list carry analyzers the config file never named (their defaults).
      const camera = analyzerOnCamera(analyzer, configs[analyzer.name], config[analyzer.name]);
      const deps = {
        ...services,
        logger: logger.child({ analyzer: analyzer.name }),
        camera: name,
        config: analyzer.config.parse(config[analyzer.name] ?? {}),
        cameraConfig: camera,
        shared: shared?.get(analyzer.name),
      };
      return { analyzer, camera, schedule: new Schedule(camera.schedule), state: analyzer.create(deps), wasActive: false };
    });
    this.perCamera.set(name, list);
    return list;
  }

  /** Analyzers that are on, have their models and are inside their schedule now; one that went off forgets its state. */
  private active(camera: string, list: Running[]): Running[] {
    const time = this.opts.now();
    return list.filter((r) => {
      const active = r.camera.enabled && !this.opts.switchedOff?.(camera, r.analyzer.name) && r.analyzer.needs.every((f) => this.opts.models.has(f)) && r.schedule.isActive(time);
      if (r.wasActive && !active) r.state.reset?.();
      r.wasActive = active;
      return active;
    });
  }

  async analyze(frame: Frame, motion: MotionResult): Promise<Detection[]> {
    const active = this.active(frame.camera, this.camera(frame.camera));
    if (active.length === 0) {
      this.opts.onIdle?.(frame.camera);
      return [];
    }
    return this.run(frame, motion, active);
  }

  /**
   * The frame seen by the active essential analyzers only (weapons, watched objects), for a
   * scheduler that is behind; null when none is active on the camera (then nothing ran: the frame
   * wants the full analysis or none). When they found something and `mayComplete`, the other
   * analyzers see the same frame too (who holds the weapon, their face and pose), on the objects
   * already detected: the frame is then `whole`.
   */
  async analyzeEssentials(frame: Frame, motion: MotionResult, mayComplete: boolean): Promise<LightAnalysis | null> {
    const active = this.active(frame.camera, this.camera(frame.camera));
    const essential = active.filter((r) => r.analyzer.essential);
    if (essential.length === 0) return null;
    const light = this.context(frame, motion, needsFaces(essential));
    const found = await this.runOn(light, essential, []);
    const rest = active.filter((r) => !r.analyzer.essential);
    if (!mayComplete || rest.length === 0 || found.every(([, d]) => d.length === 0)) return { detections: this.zoned(frame, found), whole: false };
    // A context of its own (persons found with faces where the rest need them), the objects shared;
    // the essential analyzers do not run again, so their N-of-M history sees the frame once.
    const whole = this.context(frame, motion, needsFaces(active), light.objects);
    return { detections: this.zoned(frame, [...found, ...(await this.runOn(whole, rest, found))]), whole: true };
  }

  private async run(frame: Frame, motion: MotionResult, active: Running[]): Promise<Detection[]> {
    // Faces are searched once a frame, and only when an active analyzer needs them; then they also find the people the object detector missed.
    return this.zoned(frame, await this.runOn(this.context(frame, motion, needsFaces(active)), active, []));
  }

  /** The analyzers in list order, each given what the ones before it found (`before`: found already, on this frame). */
  private async runOn(context: Omit<FrameContext, 'earlier'>, analyzers: Running[], before: Array<[Running, Detection[]]>): Promise<Array<[Running, Detection[]]>> {
    const found: Array<[Running, Detection[]]> = [];
    for (const r of analyzers) {
      const detections = await r.state.analyze({ ...context, earlier: [...before, ...found].flatMap(([, d]) => d) });
      found.push([r, detections]);
    }
    return found;
  }

  /** Zones are checked last: the pose analyzer may put its skeleton on a person it found earlier. */
  private zoned(frame: Frame, found: Array<[Running, Detection[]]>): Detection[] {
    return found.flatMap(([r, detections]) => this.inRequiredZones(frame.camera, r.camera.required_zones, detections));
  }

  /** What the analyzers of one frame share, each model run at most once; `objects`: already asked for (analyzeEssentials). */
  private context(frame: Frame, motion: MotionResult, withFaces: boolean, objectsOf?: () => Promise<readonly ObjectDetection[]>): Omit<FrameContext, 'earlier'> {
    const img = rgbImage(frame.width, frame.height, frame.data);
    let objects: Promise<readonly ObjectDetection[]> | undefined;
    let faces: Promise<FaceDetection[]> | undefined;
    let persons: Promise<PersonBox[]> | undefined;
    const detectObjects = objectsOf ?? (() => (objects ??= this.detectObjects(img, motion)));
    const sure = () => detectObjects().then((all) => surePersons(all, this.person.min_score).map((o) => o.box));
    const detectFaces = () => (faces ??= this.opts.models.has('faces') ? this.detectFaces(frame, img, sure()) : Promise.resolve([]));
    const findAll = async () => findPersons(await detectObjects(), withFaces ? await detectFaces() : undefined, this.person, img.width, img.height);
    return { camera: frame.camera, time: frame.time, img, objects: detectObjects, faces: detectFaces, persons: () => (persons ??= findAll()) };
  }

  /**
   * Faces, with the camera's previous frame's faces as `confirmed` where they are recent and have
   * gone fewer than LOOK_EVERY − 1 frames without a look: an unsure face that stays put skips its
   * second look on two frames of three. Faces looked at on one frame (an audience coming into
   * view) are spread over the next ones, each to the frame with the fewest looks due, so a frame
   * does not carry every second look at once and the next two none.
   */
  private async detectFaces(frame: Frame, img: RgbImage, people: Promise<Box[]>): Promise<FaceDetection[]> {
    const last = this.faceMemory.get(frame.camera);
    const recent = last && frame.time > last.time && frame.time - last.time <= FACE_MEMORY_MS ? last.faces : [];
    const spared = recent.filter((f) => f.skipped < LOOK_EVERY - 1);
    const faces = await this.opts.models.detectFaces(img, { people, confirmed: spared.length > 0 ? spared.map((f) => f.box) : undefined });
    const kept = faces.map((f) => spared.find((m) => iou(m.box, f.box) >= SAME_PLACE));
    // due[k]: faces whose next look falls k + 1 frames from now
    const due = new Array<number>(LOOK_EVERY).fill(0);
    for (const m of kept) if (m) due[LOOK_EVERY - 2 - m.skipped]++;
    const skippedOf = (m: { skipped: number } | undefined): number => {
      if (m) return m.skipped + 1;
      // a face looked at now: skipped s puts its next look LOOK_EVERY − s frames away; the latest of the least loaded
      let best = 0;
      for (let s = 1; s < LOOK_EVERY; s++) if (due[LOOK_EVERY - 1 - s] < due[LOOK_EVERY - 1 - best]) best = s;
      due[LOOK_EVERY - 1 - best]++;
      return best;
    };
    this.faceMemory.set(frame.camera, { time: frame.time, faces: faces.map((f, i) => ({ box: f.box, skipped: skippedOf(kept[i]) })) });
    return faces;
  }

  private async detectObjects(img: RgbImage, motion: MotionResult): Promise<ObjectDetection[]> {
    if (!this.opts.models.has('objects')) return [];
    const regions = motionRegions(motion.boxes, img.width, img.height, this.opts.config.regions);
    // 'live': the detector may compute only the classes the analyzers read (live-labels.ts).
    const detect = (image: RgbImage) => this.opts.models.detectObjects(image, 'live');
    return regions ? detectInRegions(img, regions, detect) : detect(img);
  }

  private inRequiredZones(camera: string, required: readonly string[], detections: Detection[]): Detection[] {
    const zonesOf = this.opts.zonesOf;
    if (!zonesOf || required.length === 0) return detections;
    return detections.filter((d) => zonesOf(camera, d.box, this.zoneLabels.get(d.kind) ?? d.label).some((z) => required.includes(z)));
  }
}

/** Faces are searched only when an active analyzer needs them. */
const needsFaces = (analyzers: readonly Running[]) => analyzers.some((r) => r.analyzer.needs.includes('faces'));
