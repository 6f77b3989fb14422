import type { Logger } from '../log.js';
import type { ObjectDetection } from '../models/detection.js';
import type { Detector } from '../models/detector.js';
import type { MotionResult } from '../motion/motion-detector.js';
import type { Frame } from '../sources/frame.js';
import type { ReferencePose } from '../store/poses.js';
import { rgbImage, type RgbImage } from '../vision/image.js';
import { boxArea, type Box } from '../vision/iou.js';
import { ANALYZER_NAMES, cameraAnalyzersSchema, type AnalyzerName, type AnalyzersConfig, type CameraAnalyzersConfig } from './config.js';
import type { Detection, DetectionKind } from './detection.js';
import { FaceAnalyzer, type MatchFace } from './faces.js';
import { detectInRegions, motionRegions } from './motion-regions.js';
import { PoseAnalyzer } from './pose.js';
import { Schedule } from './schedule.js';
import { WeaponAnalyzer } from './weapon.js';

export type AnalyzerModels = Pick<Detector, 'detectObjects' | 'detectFaces' | 'embedFace' | 'detectPoses' | 'has'>;

export interface FrameAnalyzerOptions {
  detector: AnalyzerModels;
  config: AnalyzersConfig;
  /** Per camera (`cameras.<name>.analyzers`); a camera not listed runs the defaults. */
  cameras: Record<string, CameraAnalyzersConfig>;
  matchFace: MatchFace;
  /** The saved reference poses (PoseLibrary.list). */
  references: () => readonly ReferencePose[];
  /**
   * The zones a box stands in (EventManager.zonesOf), for `required_zones`; without it, required
   * zones are not checked. The label is the object's, `person` for faces and poses.
   */
  zonesOf?: (camera: string, box: Box, label?: string) => string[];
  now: () => number;
  logger: Logger;
}

const ANALYZER_OF: Record<DetectionKind, AnalyzerName> = { person: 'person', weapon: 'weapon', face: 'faces', pose: 'pose' };

/** One camera's analyzers, with their state (weapon confirmations, face visits, falls) and schedules. */
class CameraAnalyzers {
  readonly schedules: Record<AnalyzerName, Schedule>;
  readonly weapon: WeaponAnalyzer;
  readonly faces: FaceAnalyzer;
  readonly pose: PoseAnalyzer;
  private readonly wasActive = new Set<AnalyzerName>();

  constructor(
    readonly config: CameraAnalyzersConfig,
    opts: FrameAnalyzerOptions,
  ) {
    this.schedules = { person: new Schedule(config.person.schedule), weapon: new Schedule(config.weapon.schedule), faces: new Schedule(config.faces.schedule), pose: new Schedule(config.pose.schedule) };
    this.weapon = new WeaponAnalyzer(opts.config.weapon);
    this.faces = new FaceAnalyzer(opts.detector, opts.matchFace, opts.config.faces);
    const wanted = new Set(config.pose.poses);
    const references = () => opts.references().filter((r) => wanted.size === 0 || wanted.has(r.name));
    this.pose = new PoseAnalyzer(opts.detector, opts.config.pose, references, config.pose.fall);
  }

  /** Analyzers that are on and inside their schedule now; one that went off forgets its state. */
  active(time: number, detector: AnalyzerModels): Set<AnalyzerName> {
    const family = { person: 'objects', weapon: 'objects', faces: 'faces', pose: 'pose' } as const;
    const active = new Set(ANALYZER_NAMES.filter((n) => this.config[n].enabled && detector.has(family[n]) && this.schedules[n].isActive(time)));
    if (this.wasActive.has('weapon') && !active.has('weapon')) this.weapon.reset();
    if (this.wasActive.has('pose') && !active.has('pose')) this.pose.reset();
    this.wasActive.clear();
    for (const n of active) this.wasActive.add(n);
    return active;
  }
}

/**
 * Runs the analyzers enabled for a frame's camera: objects first (cropped around motion on
 * large frames), then weapons and persons from them, faces and poses inside the person boxes.
 */
export class FrameAnalyzer {
  private readonly perCamera = new Map<string, CameraAnalyzers>();

  constructor(private readonly opts: FrameAnalyzerOptions) {}

  private camera(name: string): CameraAnalyzers {
    let c = this.perCamera.get(name);
    if (!c) {
      const config = this.opts.cameras[name] ?? DEFAULT_CAMERA;
      this.perCamera.set(name, (c = new CameraAnalyzers(config, this.opts)));
    }
    return c;
  }

  async analyse(frame: Frame, motion: MotionResult): Promise<Detection[]> {
    const cam = this.camera(frame.camera);
    const active = cam.active(this.opts.now(), this.opts.detector);
    if (active.size === 0) return [];
    const img = rgbImage(frame.width, frame.height, frame.data);
    const objects = await this.detectObjects(img, motion);
    const { person } = this.opts.config;
    const people = objects
      .filter((o) => o.label === 'person' && o.score >= person.min_score && boxArea(o.box) >= person.min_area)
      .sort((a, b) => b.score - a.score);
    const boxes = people.map((p) => p.box);
    const out: Detection[] = [];
    if (active.has('person')) for (const p of people) out.push({ kind: 'person', label: 'person', score: p.score, box: p.box });
    if (active.has('weapon')) out.push(...cam.weapon.analyse(objects, boxes));
    if (active.has('faces')) out.push(...(await cam.faces.analyse(img, boxes, frame.time)));
    if (active.has('pose')) {
      const poses = await cam.pose.analyse(img, boxes.slice(0, this.opts.config.pose.max_people), frame.time);
      out.push(...(active.has('person') ? foldPresenceIntoPersons(poses, out) : poses));
    }
    return this.inRequiredZones(frame.camera, cam.config, out);
  }

  private async detectObjects(img: RgbImage, motion: MotionResult): Promise<ObjectDetection[]> {
    if (!this.opts.detector.has('objects')) return [];
    const regions = motionRegions(motion.boxes, img.width, img.height, this.opts.config.regions);
    return regions ? detectInRegions(img, regions, (crop) => this.opts.detector.detectObjects(crop)) : this.opts.detector.detectObjects(img);
  }

  private inRequiredZones(camera: string, config: CameraAnalyzersConfig, detections: Detection[]): Detection[] {
    const zonesOf = this.opts.zonesOf;
    if (!zonesOf) return detections;
    return detections.filter((d) => {
      const required = config[ANALYZER_OF[d.kind]].required_zones;
      if (required.length === 0) return true;
      const label = d.kind === 'face' || d.kind === 'pose' ? 'person' : d.label;
      return zonesOf(camera, d.box, label).some((z) => required.includes(z));
    });
  }
}

/**
 * A pose that only says "someone is there" would duplicate the person event: its skeleton goes
 * onto the best-overlapping person detection (drawn on the snapshot) instead. Named poses and
 * falls stay events of their own.
 */
function foldPresenceIntoPersons(poses: Detection[], detections: Detection[]): Detection[] {
  const persons = detections.filter((d) => d.kind === 'person');
  return poses.filter((pose) => {
    if (pose.label !== 'person') return true;
    // A skeleton's box hugs the keypoints, so it lies inside its person's box: compare by containment.
    let best: Detection | undefined;
    let bestInside = 0.6;
    for (const p of persons) {
      const inside = insideShare(pose.box, p.box);
      if (inside > bestInside) [best, bestInside] = [p, inside];
    }
    if (!best) return true;
    best.attributes = { ...best.attributes, keypoints: pose.attributes?.keypoints };
    return false;
  });
}

/** The share of box `a`'s area that lies inside box `b`. */
function insideShare(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const area = boxArea(a);
  return w > 0 && h > 0 && area > 0 ? (w * h) / area : 0;
}

/** What a camera without an `analyzers:` block runs: the schema's defaults. */
const DEFAULT_CAMERA: CameraAnalyzersConfig = cameraAnalyzersSchema.parse({});
