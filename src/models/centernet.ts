import type { RgbImage } from '../vision/image.js';
import { flipHorizontal, unflipBox } from '../vision/flip.js';
import { clipBox, iou, type Box } from '../vision/iou.js';
import { nms } from '../vision/nms.js';
import { letterboxTensor } from '../vision/resize.js';
import type { DetectScope, ObjectDetection, ObjectDetector } from './detection.js';
import type { SessionPool } from './session-pool.js';
import { PHOTO_VERIFY_FLOOR, type Verifier, VERIFY_FLOOR, verifyDetections } from './verifier.js';
import { asFloat32, outputWithShape, type ModelInfo } from './tensor-data.js';

const SIZE = 512;
/** Padding kept around the picture on its shorter side, in input pixels (see `inputSize`). */
const EDGE_BAND = 32;
/**
 * A photo whose longer side is at most this many pixels is also looked at at its own size
 * (`ownInputSize`) and mirrored (`photoViews`): the 512×512 letterbox magnifies it by 4/3 or
 * more, and the views find different objects and place their boxes differently (docs/weapons.md,
 * "Small photos at their own size too", "and mirrored").
 */
export const SMALL_PHOTO = 384;

/** One look at a picture: the input it is letterboxed into, mirrored or not. */
export interface PictureView {
  size: [number, number];
  mirror: boolean;
}

/** `models.objects.input`: how a picture is fitted to the detector's input (`inputSize`). */
export type ObjectsInput = 'square' | 'frame' | 'camera';
/**
 * How low a trained class is kept in each view of a photo before the views are merged (and the
 * merged detections cut at the detector's min_score): the floor the weapons' AP was measured with.
 */
export const VIEW_MIN_SCORE = 0.01;
/** Two boxes of one class overlapping more than this are one object (the decoder's and mergeViews' NMS). */
const DECODE_NMS_IOU = 0.5;
/** The smallest input the own-size view gets (CenterNet's sides are multiples of 32). */
const MIN_OWN_SIDE = 128;

export interface CenterNetDecodeOptions {
  labels: readonly string[];
  minScore: number;
  /** Letterbox placement: source = (input − pad) / scale. */
  scale: number;
  padX: number;
  padY: number;
  iouThreshold?: number;
  /** The source picture's size: boxes are clipped to it (a peak near the edge can reach past it). */
  picture?: { width: number; height: number };
}

/**
 * Decodes CenterNet's top-k `detections` rows (x1, y1, x2, y2 in input pixels, score, class)
 * into source pixels. Heatmap peaks can still yield near-duplicate boxes, hence a per-class NMS.
 */
export function decodeCenterNet(rows: Float32Array, opts: CenterNetDecodeOptions): ObjectDetection[] {
  const found: { box: Box; score: number; cls: number }[] = [];
  for (let r = 0; r + 6 <= rows.length; r += 6) {
    const score = rows[r + 4];
    if (!(score >= opts.minScore)) continue;
    const cls = Math.round(rows[r + 5]);
    found.push({
      box: [(rows[r] - opts.padX) / opts.scale, (rows[r + 1] - opts.padY) / opts.scale, (rows[r + 2] - opts.padX) / opts.scale, (rows[r + 3] - opts.padY) / opts.scale],
      score,
      cls,
    });
  }
  const keep = nms(
    found.map((f) => f.box),
    found.map((f) => f.score),
    { iouThreshold: opts.iouThreshold ?? DECODE_NMS_IOU, classes: found.map((f) => f.cls) },
  );
  const { picture } = opts;
  const out = keep.map((i) => ({
    label: opts.labels[found[i].cls] ?? `class_${found[i].cls}`,
    score: found[i].score,
    box: picture ? clipBox(found[i].box, picture.width, picture.height) : found[i].box,
  }));
  // A box wholly in the letterbox's padding is nothing in the picture: clipped, it has no area
  // (a head trained on dark bins fired on the black band: dozens of "bin 100%" below the photo).
  return picture ? out.filter((d) => d.box[2] > d.box[0] && d.box[3] > d.box[1]) : out;
}

/** A loaded session: the pool's name for it and what it takes and gives. */
export interface CenterNetSession {
  name: string;
  info: ModelInfo;
}

export interface CenterNetSessions {
  /** Every class: loaded, or loaded on first use (where live analysis has its own reduced session). */
  all: CenterNetSession | { name: string; load: () => Promise<ModelInfo> };
  /** The classes live analysis reads alone (keep-classes.ts), for `detect(img, 'live')`. */
  live?: CenterNetSession;
}

/** The default COCO-80 object detector (with trained classes merged in: `centernet-weapons`). */
export class CenterNetDetector implements ObjectDetector {
  private all?: Promise<CenterNetSession>;

  constructor(
    private readonly pool: SessionPool,
    private readonly sessions: CenterNetSessions,
    readonly labels: readonly string[],
    private readonly minScore: number,
    /** See `inputSize`. */
    private readonly input: ObjectsInput = 'camera',
    /** Trained classes' second look at their candidates (verifier.ts). */
    private readonly verifiers: readonly Verifier[] = [],
  ) {
    this.verified = new Set(verifiers.flatMap((v) => v.classes));
  }

  /** The verifiers' classes: a photo's views' agreement weighs their scores (mergeViews). */
  private readonly verified: ReadonlySet<string>;

  /** The session live analysis runs. */
  get name(): string {
    return (this.sessions.live ?? this.sessions.all).name;
  }

  private session(scope: DetectScope): Promise<CenterNetSession> | CenterNetSession {
    const { live, all } = this.sessions;
    if (scope === 'live' && live) return live;
    if ('info' in all) return all;
    // Loaded once; a failed load is tried again next time.
    this.all ??= all.load().then(
      (info) => ({ name: all.name, info }),
      (err: unknown) => {
        this.all = undefined;
        throw err;
      },
    );
    return this.all;
  }

  async detect(img: RgbImage, scope: DetectScope = 'all'): Promise<ObjectDetection[]> {
    const session = await this.session(scope);
    const verifying = this.verifiers.length > 0;
    // A photo is analysed once: its candidates are verified from lower down (verifier.ts).
    const floor = scope === 'live' ? VERIFY_FLOOR : PHOTO_VERIFY_FLOOR;
    const first = this.inputSize(img, session.info, scope);
    const views = scope === 'live' ? [{ size: first, mirror: false }] : photoViews(img, session.info.inputs[0].shape, first, true);
    // Several views of a photo: the trained classes are kept down to VIEW_MIN_SCORE in each and
    // cut at minScore once merged, as training measured them (evaluate.ts). Cut in each view, a
    // weapon under minScore in some views lost their share of its agreement (0.367 → 0.164).
    const several = verifying && views.length > 1;
    const keepFrom = several ? VIEW_MIN_SCORE : this.minScore;
    const minScore = verifying ? Math.min(keepFrom, floor) : this.minScore;
    // Each view's candidates verified on their own, then merged: merged first, a view's higher
    // detector score could keep a box the verifier then rejects over the other view's good one.
    const seen = await Promise.all(
      views.map(async ({ size, mirror }) => {
        const pic = mirror ? flipHorizontal(img) : img;
        const found = await this.view(session, pic, size, minScore);
        const checked = verifying ? await verifyDetections(pic, found, this.verifiers, keepFrom, floor) : found;
        // Only the trained classes go below minScore: the others merge as they always have.
        const kept = several ? checked.filter((d) => d.score >= this.minScore || this.verified.has(d.label)) : checked;
        return mirror ? kept.map((d) => ({ ...d, box: unflipBox(d.box, img.width) })) : kept;
      }),
    );
    if (seen.length === 1) return seen[0];
    const merged = mergeViews(seen, this.verified);
    return several ? merged.filter((d) => d.score >= this.minScore) : merged;
  }

  /** One run on the image letterboxed into `width` × `height`, decoded into source pixels. */
  private async view({ name, info }: CenterNetSession, img: RgbImage, [width, height]: [number, number], minScore: number): Promise<ObjectDetection[]> {
    // Letterboxed rather than stretched as Human does: person scores rise on every fixture photo
    // (e.g. three seated people found instead of one); see docs/inference.md.
    const lb = await letterboxTensor(img, width, height, 0, { layout: 'nhwc' }, this.pool.float32(width * height * 3));
    const outputs = await this.pool.run(name, { [info.inputs[0].name]: { type: 'float32', dims: [1, height, width, 3], data: lb.data } }, [
      info.outputs.find((o) => o.shape.length === 3 && o.shape[2] === 6)?.name ?? 'tower_0/detections',
    ]);
    const rows = asFloat32(outputWithShape(outputs, (d) => d.length === 3 && d[2] === 6, 'detections [1, k, 6]'));
    return decodeCenterNet(rows, { labels: this.labels, minScore, scale: lb.scale, padX: lb.padX, padY: lb.padY, picture: img });
  }

  /**
   * The model's input for this image, where the graph takes any size (`models build` frees it:
   * src/convert/free-input-size.ts; a graph with fixed sides gets them). `square`: 512×512, the
   * picture letterboxed in it. `frame`: 512 on the longer side, and on the shorter the picture
   * rounded up to a multiple of 32 plus a 32-pixel band, so a 16:9 frame costs 512×320 instead of
   * 512×512 (of which 44 % is padding). `camera` (the default): `frame` for a camera's frames
   * (`live`), `square` for a photo (an upload, `argus analyze`), which is analysed once and
   * whose figures (the weapons' AP) are measured square. Scores shift a little with less padding
   * around the picture (docs/inference.md, "Input shape").
   */
  inputSize(img: { width: number; height: number }, info: ModelInfo, scope: DetectScope = 'all'): [number, number] {
    const [, h, w] = info.inputs[0].shape;
    if (h > 0 && w > 0) return [w, h];
    const frame = this.input === 'frame' || (this.input === 'camera' && scope === 'live');
    return frame ? frameInputSize(img) : [SIZE, SIZE];
  }
}

/**
 * The second view of a small photo (longer side at most SMALL_PHOTO): a square at its own size,
 * rounded up to a multiple of 32; none for a larger picture or a graph with fixed sides.
 */
export function ownInputSize(img: { width: number; height: number }, inputShape: readonly number[]): [number, number] | undefined {
  const [, h, w] = inputShape;
  const long = Math.max(img.width, img.height);
  if ((h > 0 && w > 0) || long > SMALL_PHOTO) return undefined;
  const side = Math.max(MIN_OWN_SIDE, Math.ceil(long / 32) * 32);
  return [side, side];
}

/**
 * Two more looks at a small photo, at other scales (`photoViews` with `scales`): 384² and 640²
 * mirrored, chosen on the weapons' test split among 384, 448, 640 and 768, mirrored or not, and
 * checked on the valid split: knife AP@0.5 +0.025, pistol +0.004 there (docs/weapons.md, "Two
 * more scales"). A weapon's box differs from scale to scale, and their fused box fits it better.
 */
const SCALE_VIEWS: readonly PictureView[] = [
  { size: [384, 384], mirror: false },
  { size: [640, 640], mirror: true },
];

/**
 * How a photo is looked at: at `first` (its input), and a small one (`ownInputSize`) also at its
 * own size and, mirrored, at `first` again; with `scales` (how Argus analyses a photo), at
 * SCALE_VIEWS too. Camera frames get `first` alone. The verifier learns from the views without
 * `scales` (verifier.ts), as the shipped one did.
 */
export function photoViews(img: { width: number; height: number }, inputShape: readonly number[], first: [number, number], scales = false): PictureView[] {
  const own = ownInputSize(img, inputShape);
  const views: PictureView[] = [{ size: first, mirror: false }];
  if (own) views.push({ size: own, mirror: false }, { size: first, mirror: true });
  if (own && scales) views.push(...SCALE_VIEWS);
  return views;
}

/**
 * Boxes of one class from a photo's views overlapping more than this are one object (mergeViews):
 * 0.4 rather than the decoder's 0.5, since five views at different scales place a thin knife's box
 * further apart. Chosen on the weapons' test split (0.3, 0.4, 0.5, 0.6: knife 0.691, 0.694, 0.668,
 * 0.616), then checked on the valid split: 0.771 / 0.683 → 0.784 / 0.686 (docs/weapons.md).
 */
const VIEWS_SAME_IOU = 0.4;

/**
 * How much a trained class's score owes to the views that found it (mergeViews): an object found
 * by n of a photo's N views keeps its highest score × (n / N)^0.5. The views' agreement ranks
 * weapons better than their best score alone: chosen on the weapons' test split (exponent 0, 0.25,
 * 0.5, 1, 1.5: AP@0.5 0.818 / 0.694, 0.824 / 0.702, 0.827 / 0.704, 0.830 / 0.704, 0.831 / 0.702),
 * then checked on the valid split: 0.784 / 0.686 → 0.790 / 0.697, precision and recall at the
 * shipped thresholds unchanged within 0.008 (docs/weapons.md, "The views' agreement").
 */
const AGREEMENT_POWER = 0.5;

/**
 * The views' detections (each view's verified already) as one: an object several views found
 * (same label, IoU over VIEWS_SAME_IOU with the surest of them) is kept once, at the highest of
 * its scores, its box the score-weighted mean of theirs (weighted box fusion: the views place a
 * box differently, and their mean fits it better than any one of them); one only a view found
 * keeps its score and box. For the `agreed` labels (the trained classes, where it was measured)
 * the score is also scaled by the share of views that found the object (AGREEMENT_POWER).
 */
export function mergeViews(views: readonly (readonly ObjectDetection[])[], agreed: ReadonlySet<string> = new Set()): ObjectDetection[] {
  const found = views.flat();
  const viewOf = views.flatMap((v, i) => v.map(() => i));
  const labels = found.map((d) => d.label);
  const keep = nms(
    found.map((d) => d.box),
    found.map((d) => d.score),
    { iouThreshold: VIEWS_SAME_IOU, classes: labels.map((l) => labels.indexOf(l)) },
  );
  const kept = new Set(keep);
  return keep.map((i) => {
    const best = found[i];
    const same = [i, ...found.flatMap((d, j) => (!kept.has(j) && d.label === best.label && iou(d.box, best.box) > VIEWS_SAME_IOU ? [j] : []))];
    const share = new Set(same.map((j) => viewOf[j])).size / views.length;
    const score = agreed.has(best.label) ? best.score * share ** AGREEMENT_POWER : best.score;
    if (same.length === 1) return { ...best, score };
    const weight = same.reduce((sum, j) => sum + found[j].score, 0);
    const box = [0, 1, 2, 3].map((k) => same.reduce((sum, j) => sum + found[j].box[k] * found[j].score, 0) / weight) as Box;
    return { ...best, score, box };
  });
}

/**
 * The input at a picture's own aspect: 512 on its longer side, and on the shorter the picture
 * rounded up to a multiple of 32 plus a 32-pixel band (640×360 → 512×320).
 */
export function frameInputSize(img: { width: number; height: number }): [number, number] {
  const side = (short: number, long: number) => Math.min(SIZE, Math.ceil((SIZE * short) / long / 32) * 32 + EDGE_BAND);
  return img.width >= img.height ? [SIZE, side(img.height, img.width)] : [side(img.width, img.height), SIZE];
}
