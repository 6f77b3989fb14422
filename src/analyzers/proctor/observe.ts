import type { Detection } from '../../events/analyzed-frame.js';
import type { ObjectDetection } from '../../models/detection.js';
import type { RgbImage } from '../../vision/image.js';
import type { AnalyzerModels, MatchFace } from '../analyzer.js';
import { cropImage } from '../crop.js';
import type { ProctorConfig } from './config.js';
import type { SeatObservation } from './cues.js';
import { FEATURE_LENGTH, joinPose, poseVector, ratioFeatures } from './features.js';
import { headFromFace, headFromPose, type NamedPoint } from './head-direction.js';
import { classify, type Sample } from './knn.js';
import { seatOf, type Seat } from './seats.js';
import { personMask, silhouetteBox } from './silhouette.js';

/** The object class a seat's phone is (COCO's). */
export const PHONE_LABEL = 'cell phone';

/** A trained classifier: k-NN keeps its samples. */
export interface Classifier {
  k: number;
  samples: readonly Sample[];
}

/** What one frame offers the seats: the scene facts already computed for every analyzer. */
export interface SceneFacts {
  img: RgbImage;
  objects: readonly ObjectDetection[];
  persons: readonly ObjectDetection[];
  /** Earlier analyzers' detections: a person's pose skeleton is read for the head's direction. */
  earlier: readonly Detection[];
}

export interface ObserveDeps {
  models: AnalyzerModels;
  matchFace: MatchFace;
  config: ProctorConfig;
  classifier: () => Classifier | null;
}

/** Faces narrower than this give no usable landmarks for a head's direction. */
const MIN_FACE_PX = 20;
/** A pose keypoint counts at or above this score (the pose analyzer's default). */
const MIN_KEYPOINT_SCORE = 0.5;
/** Rows and columns of a silhouette with fewer set pixels are noise, not the person. */
const MIN_SILHOUETTE_PIXELS = 3;

/**
 * Turns one frame into an observation per seat. Faces are looked for in each occupied seat's
 * own crop (their landmarks give the head's direction, their embedding the identity when the
 * seat names a candidate); an empty seat's pixels become its background, the reference the
 * silhouette is cut from.
 */
export class SeatObserver {
  private readonly backgrounds = new Map<string, RgbImage>();

  constructor(private readonly deps: ObserveDeps) {}

  /** Sets every seat's background (the CLI's `--background`). */
  setBackground(img: RgbImage, seats: readonly Seat[]): void {
    for (const s of seats) this.backgrounds.set(s.name, img);
  }

  async observe(facts: SceneFacts, seats: readonly Seat[], fixedBackground = false): Promise<Map<string, SeatObservation>> {
    const out = new Map<string, SeatObservation>();
    for (const seat of seats) {
      const inSeat = (boxes: readonly ObjectDetection[]) => boxes.filter((o) => seatOf([seat], o.box) !== undefined);
      const persons = inSeat(facts.persons).map((p) => p.score);
      const phone = Math.max(0, ...inSeat(facts.objects.filter((o) => o.label === PHONE_LABEL)).map((o) => o.score));
      const o: SeatObservation = { persons, faces: [], head: null, phone, knn: null };
      // Faces are looked for in an empty-looking seat too: a candidate half hidden by the desk may
      // give no person box, but a clear face still means the seat is taken (not `absent`).
      await this.lookAtFaces(facts.img, seat, o);
      if (!o.head) o.head = this.poseHead(facts.earlier, seat);
      if (persons.length === 0 && o.faces.length === 0) {
        if (!fixedBackground || !this.backgrounds.has(seat.name)) this.backgrounds.set(seat.name, facts.img);
      } else o.knn = await this.silhouetteVerdict(facts.img, seat, facts.earlier);
      out.set(seat.name, o);
    }
    return out;
  }

  /** Whether the seat has been seen empty at this frame size: its background, which a silhouette is cut from. */
  hasBackground(img: RgbImage, seat: Seat): boolean {
    const background = this.backgrounds.get(seat.name);
    return background !== undefined && background.width === img.width && background.height === img.height;
  }

  /** The 18 ratio features of the seat's silhouette against its background, or null without one. */
  features(img: RgbImage, seat: Seat): Float32Array | null {
    const background = this.backgrounds.get(seat.name);
    if (!background || background.width !== img.width || background.height !== img.height) return null;
    const mask = personMask(img, background, this.deps.config.threshold, seat.box);
    const box = silhouetteBox(mask, MIN_SILHOUETTE_PIXELS);
    return box ? ratioFeatures(mask, box) : null;
  }

  /**
   * The seat's normalised pose vector: the pose analyzer's skeleton in the seat when it ran on
   * this frame, else the pose model on the seat's crop; null without a pose model or a pose.
   */
  async pose(img: RgbImage, seat: Seat, earlier: readonly Detection[] = []): Promise<Float32Array | null> {
    for (const d of earlier) {
      const keypoints = (d.keypoints ?? d.attributes?.keypoints) as NamedPoint[] | undefined;
      if (d.kind === 'person' && keypoints && seatOf([seat], d.box)) return poseVector(keypoints);
    }
    const { models } = this.deps;
    if (!models.has('pose')) return null;
    const { image } = cropImage(img, seat.box);
    const [surest] = (await models.detectPoses(image)).sort((a, b) => b.score - a.score);
    return surest ? poseVector(surest.keypoints) : null;
  }

  private async silhouetteVerdict(img: RgbImage, seat: Seat, earlier: readonly Detection[]): Promise<SeatObservation['knn']> {
    const classifier = this.deps.classifier();
    if (!classifier || classifier.samples.length === 0) return null;
    const features = this.features(img, seat);
    if (!features) return null;
    // A classifier trained in `ratios_pose` mode carries longer vectors: it votes on the pose too.
    const withPose = classifier.samples[0].features.length > FEATURE_LENGTH;
    return classify(classifier.samples, withPose ? joinPose(features, await this.pose(img, seat, earlier)) : features, classifier.k);
  }

  private async lookAtFaces(img: RgbImage, seat: Seat, o: SeatObservation): Promise<void> {
    const { models, matchFace } = this.deps;
    if (!models.has('faces')) return;
    const { image } = cropImage(img, seat.box);
    const faces = (await models.detectFaces(image, { tiles: false })).sort((a, b) => b.score - a.score);
    o.faces = faces.map((f) => f.score);
    const main = faces.filter((f) => f.box[2] - f.box[0] >= MIN_FACE_PX).sort((a, b) => b.box[2] - b.box[0] - (a.box[2] - a.box[0]))[0];
    if (!main) return;
    o.head = headFromFace(main.landmarks);
    if (seat.candidate !== undefined) {
      try {
        o.identity = matchFace(await models.embedFace(image, main))?.name ?? null;
      } catch {
        // no embedder loaded: the identity stays unchecked, so not_candidate stays quiet
      }
    }
  }

  private poseHead(earlier: readonly Detection[], seat: Seat): SeatObservation['head'] {
    for (const d of earlier) {
      const keypoints = (d.keypoints ?? d.attributes?.keypoints) as NamedPoint[] | undefined;
      if (d.kind !== 'person' || !keypoints || !seatOf([seat], d.box)) continue;
      const head = headFromPose(keypoints, MIN_KEYPOINT_SCORE);
      if (head) return head;
    }
    return null;
  }
}
