import { applyAffine, boxToRect, invertAffine, rotatedSquareToRect, warpToTensor, type Affine, type Point } from '../vision/affine.js';
import type { RgbImage } from '../vision/image.js';
import { clipBox, type Box } from '../vision/iou.js';
import { nms } from '../vision/nms.js';
import type { BodyRoi, Keypoint, PoseDetection, PoseDetector } from './detection.js';
import { BLAZEPOSE_KEYPOINTS } from './pose-keypoints.js';
import type { SessionPool } from './session-pool.js';
import { asFloat32, outputWithShape, type ModelInfo } from './tensor-data.js';

const DETECT_SIZE = 224;
const LANDMARK_SIZE = 256;
/** Both models take 0…1. */
const PIXELS = { scale: 1 / 255 };
/** MediaPipe enlarges the hip-centred circle by this much before cropping for the landmark model. */
const ROI_SCALE = 1.25;

/** 2254 anchor centres in detector-input pixels: strides 8, 16, then 32 ×3 layers; 2 anchors per layer per cell. */
export function blazePoseAnchors(size = DETECT_SIZE): Point[] {
  const strides = [8, 16, 32, 32, 32];
  const anchors: Point[] = [];
  for (let layer = 0; layer < strides.length; ) {
    let count = 0;
    let last = layer;
    while (last < strides.length && strides[last] === strides[layer]) {
      count += 2;
      last++;
    }
    const cells = Math.ceil(size / strides[layer]);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let k = 0; k < count; k++) anchors.push([((x + 0.5) / cells) * size, ((y + 0.5) / cells) * size]);
    layer = last;
  }
  return anchors;
}

/** A person found by the detector: where to crop for the landmark model, in detector-input pixels. */
export interface PoseRoi extends BodyRoi {
  score: number;
  /** The detector's face box (its NMS runs on these). */
  box: Box;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, x))));

/**
 * Decodes the detector's [2254, 13] rows: a score logit, then a face box (cx, cy, w, h) and four
 * keypoints as offsets from the anchor. Keypoint 0 is the hip centre and keypoint 1 a point on the
 * circle that holds the whole body: together they give the ROI's centre, size and rotation.
 */
export function decodePoseDetections(rows: Float32Array, anchors: readonly Point[], opts: { minScore: number; maxPeople: number; iouThreshold?: number }): PoseRoi[] {
  const found: PoseRoi[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const r = i * 13;
    const score = sigmoid(rows[r]);
    if (score < opts.minScore) continue;
    const [ax, ay] = anchors[i];
    const cx = ax + rows[r + 1];
    const cy = ay + rows[r + 2];
    const w = rows[r + 3];
    const h = rows[r + 4];
    const hipX = ax + rows[r + 5];
    const hipY = ay + rows[r + 6];
    found.push({ score, box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], ...bodyRoi([hipX, hipY], [ax + rows[r + 7], ay + rows[r + 8]]) });
  }
  const keep = nms(
    found.map((f) => f.box),
    found.map((f) => f.score),
    { iouThreshold: opts.iouThreshold ?? 0.3, maxDetections: opts.maxPeople },
  );
  return keep.map((i) => found[i]);
}

/**
 * MediaPipe's body ROI from two points: the hip centre and a point on the circle that holds the
 * whole body. The square is that circle's diameter × 1.25, turned so the hips→point line is up.
 */
export function bodyRoi([hipX, hipY]: Point, [topX, topY]: Point): BodyRoi {
  return {
    cx: hipX,
    cy: hipY,
    side: 2 * Math.hypot(topX - hipX, topY - hipY) * ROI_SCALE,
    rotation: normaliseAngle(Math.PI / 2 - Math.atan2(-(topY - hipY), topX - hipX)),
  };
}

function normaliseAngle(a: number): number {
  return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
}

/**
 * Decodes the landmark model's `ld_3d` (39 × x, y, z, visibility, presence; x and y in crop
 * pixels) into the first 33 keypoints, mapped back through `cropToSource`.
 */
export function decodePoseLandmarks(ld: Float32Array, cropToSource: (p: Point) => Point): Keypoint[] {
  return BLAZEPOSE_KEYPOINTS.map((name, i) => {
    const [x, y] = cropToSource([ld[i * 5], ld[i * 5 + 1]]);
    return { name, x, y, score: sigmoid(ld[i * 5 + 3]) };
  });
}

/**
 * The next frame's ROI from landmarks 33 and 34 of `ld_3d`, MediaPipe's auxiliary landmarks: the
 * hip centre and the body circle's edge, as the detector gives them (pose_landmark_cpu's
 * landmarks-to-ROI step), in source pixels.
 */
export function decodeNextRoi(ld: Float32Array, cropToSource: (p: Point) => Point): BodyRoi {
  const [centre, edge] = [33, 34].map((i) => cropToSource([ld[i * 5], ld[i * 5 + 1]]));
  return bodyRoi(centre, edge);
}

/** Hips belong to a person box when they lie within it, or below it: a close-up shows no hips. */
export function hipsInBox([x, y]: Point, b: Box): boolean {
  return x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] + (b[3] - b[1]);
}

function offCentre([x]: Point, b: Box): number {
  return Math.abs(x - (b[0] + b[2]) / 2);
}

/** A square of `factor` × the box's longer side, centred on the box. */
export function squareAround(b: Box, factor: number): Box {
  const side = Math.max(b[2] - b[0], b[3] - b[1]) * factor;
  const cx = (b[0] + b[2]) / 2;
  const cy = (b[1] + b[3]) / 2;
  return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2];
}

export function keypointBox(keypoints: readonly Keypoint[], minScore = 0): Box {
  const use = keypoints.filter((k) => k.score >= minScore);
  const pts = use.length > 0 ? use : keypoints;
  const xs = pts.map((k) => k.x);
  const ys = pts.map((k) => k.y);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** A body the detector found: its hip centre and the landmark model's crop, both from source pixels. */
interface Candidate {
  hips: Point;
  roi: Affine;
}

/** The body, not yet taken, whose hips the box holds and lie nearest its centre line. */
function nearestIn(bodies: readonly Candidate[], box: Box, taken: ReadonlySet<Candidate>): Candidate | undefined {
  return bodies.filter((b) => !taken.has(b) && hipsInBox(b.hips, box)).sort((a, b) => offCentre(a.hips, box) - offCentre(b.hips, box))[0];
}

/** MediaPipe BlazePose: a person detector, then 33 landmarks on a rotated crop around each person. */
export class BlazePoseDetector implements PoseDetector {
  readonly name = 'blazepose';
  private readonly anchors = blazePoseAnchors();

  constructor(
    private readonly pool: SessionPool,
    private readonly detectorInfo: ModelInfo,
    private readonly landmarkInfo: ModelInfo,
    private readonly opts: { minScore: number; maxPeople: number },
  ) {}

  /**
   * With person boxes (from the object detector), looks for one body in a square around each:
   * the detector sees small, distant people far better that way. With two or more boxes it first
   * makes one pass over the whole frame and gives each box the body whose hips it holds; only the
   * boxes left without one (or whose body the landmark model rejects) get their own pass. In a
   * group, a square around one person holds neighbours that the detector confuses.
   * Without boxes, it searches the whole frame.
   */
  async detect(img: RgbImage, people: readonly Box[] = []): Promise<PoseDetection[]> {
    const boxes = people.slice(0, this.opts.maxPeople);
    const frame = squareAround([0, 0, img.width, img.height], 1);
    let poses: PoseDetection[] = [];
    let searchIn: (Box | undefined)[] = boxes.length === 0 ? [undefined] : boxes;
    if (boxes.length >= 2) {
      const [bodies] = await Promise.all(this.bodiesIn(img, frame));
      const taken = new Set<Candidate>();
      const assigned: { box: Box; body: Candidate }[] = [];
      searchIn = [];
      for (const box of boxes) {
        const body = nearestIn(bodies, box, taken);
        if (body) {
          taken.add(body);
          assigned.push({ box, body });
        } else searchIn.push(box);
      }
      // A body the whole-frame pass placed but the landmark model then rejects gets its box's own pass.
      const found = await this.landmarksAll(
        img,
        assigned.map((a) => a.body.roi),
      );
      for (const [i, pose] of found.entries()) {
        if (pose) poses.push(pose);
        else searchIn.push(assigned[i].box);
      }
    }
    // Every detector pass is queued before the first is awaited, and every landmark pass before
    // any is read: the worker runs one model while this thread warps the next crop.
    const passes = this.bodiesIn(img, ...searchIn.map((box) => (box ? squareAround(box, 1.2) : frame)));
    const rois: Affine[] = [];
    for (const [index, pass] of passes.entries()) {
      const bodies = await pass;
      const box = searchIn[index];
      // In a person's square a neighbour can score higher: take the body whose hips are nearest the box's centre line.
      const chosen = box ? [nearestIn(bodies, box, new Set())].filter((b) => b !== undefined) : bodies;
      rois.push(...chosen.map((b) => b.roi));
    }
    poses = [...poses, ...(await this.landmarksAll(img, rois)).filter((p) => p !== undefined)];
    // Overlapping person boxes can find the same body twice.
    const keep = nms(
      poses.map((p) => p.box),
      poses.map((p) => p.score),
      { iouThreshold: 0.5 },
    );
    return keep.map((k) => poses[k]);
  }

  /** MediaPipe's tracking: the landmark model alone on each earlier pose's ROI; undefined where its pose flag is below minScore. */
  follow(img: RgbImage, rois: readonly BodyRoi[]): Promise<(PoseDetection | undefined)[]> {
    return this.landmarksAll(
      img,
      rois.map((r) => rotatedSquareToRect(r.cx, r.cy, r.side, r.rotation, LANDMARK_SIZE)),
    );
  }

  /** Landmarks for every crop, all queued at once; undefined where the model finds no body. */
  private async landmarksAll(img: RgbImage, rois: readonly Affine[]): Promise<(PoseDetection | undefined)[]> {
    const pending = rois.map((roi) => {
      const pose = this.landmarks(img, roi);
      pose.catch(() => undefined);
      return pose;
    });
    return (await Promise.all(pending)).map((pose) => (pose.score >= this.opts.minScore ? { ...pose, box: clipBox(pose.box, img.width, img.height) } : undefined));
  }

  /** One detector pass per region, all queued at once; each resolves to the bodies found, in source pixels. */
  private bodiesIn(img: RgbImage, ...regions: Box[]): Promise<Candidate[]>[] {
    const { minScore, maxPeople } = this.opts;
    return regions.map((region) => {
      const toCrop = boxToRect(region, DETECT_SIZE, DETECT_SIZE);
      const data = warpToTensor(img, toCrop, DETECT_SIZE, DETECT_SIZE, PIXELS, 0, this.pool.float32(DETECT_SIZE * DETECT_SIZE * 3));
      const out = this.pool.run(this.detectorInfo.name, {
        [this.detectorInfo.inputs[0].name]: { type: 'float32', dims: [1, DETECT_SIZE, DETECT_SIZE, 3], data },
      });
      const bodies = out.then((o) => {
        const rows = asFloat32(outputWithShape(o, (d) => d[d.length - 1] === 13, '[1, 2254, 13] detections'));
        const back = invertAffine(toCrop);
        const scale = DETECT_SIZE / (region[2] - region[0]);
        return decodePoseDetections(rows, this.anchors, { minScore, maxPeople }).map((roi): Candidate => {
          const hips = applyAffine(back, [roi.cx, roi.cy]);
          return { hips, roi: rotatedSquareToRect(hips[0], hips[1], roi.side / scale, roi.rotation, LANDMARK_SIZE) };
        });
      });
      // Settled here too, so a failure is not unhandled while an earlier region is awaited.
      bodies.catch(() => undefined);
      return bodies;
    });
  }

  private async landmarks(img: RgbImage, sourceToCrop: Affine): Promise<PoseDetection> {
    const data = warpToTensor(img, sourceToCrop, LANDMARK_SIZE, LANDMARK_SIZE, PIXELS, 0, this.pool.float32(LANDMARK_SIZE * LANDMARK_SIZE * 3));
    const out = await this.pool.run(this.landmarkInfo.name, {
      [this.landmarkInfo.inputs[0].name]: { type: 'float32', dims: [1, LANDMARK_SIZE, LANDMARK_SIZE, 3], data },
    });
    const ld = asFloat32(outputWithShape(out, (d) => d.length === 2 && d[1] === 195, '[1, 195] landmarks'));
    const flag = asFloat32(outputWithShape(out, (d) => d.length === 2 && d[1] === 1, '[1, 1] pose flag'))[0];
    const cropToSource = invertAffine(sourceToCrop);
    const toSource = (p: Point) => applyAffine(cropToSource, p);
    const keypoints = decodePoseLandmarks(ld, toSource);
    return { score: flag, box: keypointBox(keypoints, 0.5), keypoints, roi: decodeNextRoi(ld, toSource) };
  }
}
