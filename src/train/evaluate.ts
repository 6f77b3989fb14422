import * as ort from 'onnxruntime-node';
import { VERIFIER_CROP, VERIFIER_DELTAS, VERIFIER_EXTRAS_INPUT, VERIFIER_IMAGE_INPUT, VERIFIER_PLACE_INPUT, VERIFIER_PROBS } from '../convert/crop-verifier.js';
import { decodeCenterNet, mergeViews, photoViews, VIEW_MIN_SCORE } from '../models/centernet.js';
import type { ObjectDetection } from '../models/detection.js';
import { PHOTO_VERIFY_FLOOR, type Verifier, verifyDetections } from '../models/verifier.js';
import { boxPlace, cropTensor } from '../vision/crop.js';
import { flipHorizontal, unflipBox } from '../vision/flip.js';
import { loadImage, type RgbImage } from '../vision/image.js';
import type { Box } from '../vision/iou.js';
import { letterboxTensor } from '../vision/resize.js';
import { averagePrecision, type ClassCurve, type ScoredBox, type TruthBox } from './average-precision.js';
import { mapLimited } from './map-limited.js';
import { CENTERNET_TENSORS } from './feature-model.js';
import type { YoloImage } from './yolo-dataset.js';

export const EVAL_SIZE = 512;
/** Scores kept for the precision–recall curve (the detector's top 100 peaks go far lower): a photo's views keep them from there too (CenterNetDetector.detect). */
const MIN_SCORE = VIEW_MIN_SCORE;

/**
 * AP@0.5 (or at `iou`) per trained class of a merged model, run exactly as Argus runs CenterNet on a
 * photo (letterboxed into 512×512, a small one also at its own size, top-100 peaks, per-class NMS),
 * over labelled images.
 */
export async function evaluateMerged(
  merged: Uint8Array,
  images: YoloImage[],
  classes: string[],
  opts: {
    baseClasses: number;
    threads?: number;
    onImage?: (done: number) => void;
    shouldStop?: () => boolean;
    /** IoU a detection must reach (0.5). */
    iou?: number;
    /** The trained classes' verifier (a verifierModel graph): their detections rescored as Argus does. */
    verifier?: Uint8Array;
    /** The detector score from which the verifier looks: a photo's (verifier.ts' PHOTO_VERIFY_FLOOR) unless given. */
    verifyFloor?: number;
    /** How far a verified box moves towards its regressor's box (verifier.ts' BOX_STEP). */
    boxStep?: number;
  },
): Promise<{ curves: ClassCurve[]; detections: ScoredBox[] }> {
  // `threads` photos in flight on one-thread sessions (map-limited.ts says why).
  const inFlight = opts.threads ?? 1;
  const session = await ort.InferenceSession.create(merged, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const labels = Array.from({ length: opts.baseClasses + classes.length }, (_, i) => String(i));
  const verifier = opts.verifier ? await ortVerifier(opts.verifier, labels.slice(opts.baseClasses), 1) : undefined;
  const verified = new Set(verifier?.classes);
  const meta = session.inputMetadata[0];
  const inputShape = meta?.isTensor ? meta.shape.map((d) => (typeof d === 'number' ? d : -1)) : [];
  // A photo as Argus runs it (CenterNetDetector.detect): letterboxed into 512×512, and a small one
  // also at its own size, mirrored and at two more scales where the graph's sides are free (a built model's are).
  const view = async (img: RgbImage, [w, h]: [number, number]): Promise<ObjectDetection[]> => {
    const lb = await letterboxTensor(img, w, h, 0, { layout: 'nhwc' });
    const out = await session.run({ [CENTERNET_TENSORS.input]: new ort.Tensor('float32', lb.data, [1, h, w, 3]) }, ['tower_0/detections']);
    return decodeCenterNet(out['tower_0/detections'].data as Float32Array, { labels, minScore: MIN_SCORE, scale: lb.scale, padX: lb.padX, padY: lb.padY, picture: img });
  };
  // Each view's candidates verified, then the views merged (CenterNetDetector.detect).
  const detect = async (img: RgbImage): Promise<ObjectDetection[]> => {
    const views = photoViews(img, inputShape, [EVAL_SIZE, EVAL_SIZE], true);
    const seen: ObjectDetection[][] = [];
    for (const { size, mirror } of views) {
      const pic = mirror ? flipHorizontal(img) : img;
      const decoded = await view(pic, size);
      const checked = verifier ? await verifyDetections(pic, decoded, [verifier], MIN_SCORE, opts.verifyFloor ?? PHOTO_VERIFY_FLOOR, opts.boxStep) : decoded;
      seen.push(mirror ? checked.map((d) => ({ ...d, box: unflipBox(d.box, img.width) })) : checked);
    }
    return views.length > 1 ? mergeViews(seen, verified) : seen[0];
  };
  const detections: ScoredBox[] = [];
  const truth: TruthBox[] = [];
  let done = 0;
  try {
    const seen = await mapLimited(images, inFlight, async (item) => {
      if (opts.shouldStop?.()) throw new Error('interrupted');
      const img = await loadImage(item.image);
      const found = await detect(img);
      opts.onImage?.(++done);
      return { found, width: img.width, height: img.height };
    });
    for (const [image, { found, width, height }] of seen.entries()) {
      for (const d of found) {
        const cls = Number(d.label) - opts.baseClasses;
        if (cls >= 0) detections.push({ image, cls, score: d.score, box: d.box });
      }
      for (const b of images[image].boxes) {
        const box: Box = [(b.cx - b.w / 2) * width, (b.cy - b.h / 2) * height, (b.cx + b.w / 2) * width, (b.cy + b.h / 2) * height];
        truth.push({ image, cls: b.cls, box });
      }
    }
  } finally {
    await session.release();
    await verifier?.release();
  }
  return { curves: classes.map((_, c) => averagePrecision(detections, truth, c, opts.iou)), detections };
}

/** A verifier on its own onnxruntime session (training and benches; Argus runs it in its session pool). */
export async function ortVerifier(bytes: Uint8Array, classes: readonly string[], threads: number): Promise<Verifier & { release: () => Promise<void> }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const crop = VERIFIER_CROP;
  const boxes = session.inputNames.includes(VERIFIER_PLACE_INPUT);
  return {
    classes,
    run: async (img, box, extras) => {
      const t = await cropTensor(img, box, crop);
      const out = await session.run({
        [VERIFIER_IMAGE_INPUT]: new ort.Tensor('float32', t.data, [1, crop, crop, 3]),
        [VERIFIER_EXTRAS_INPUT]: new ort.Tensor('float32', extras, [1, extras.length]),
        ...(boxes ? { [VERIFIER_PLACE_INPUT]: new ort.Tensor('float32', boxPlace(box, img.width, img.height), [1, 4]) } : {}),
      });
      return { probs: out[VERIFIER_PROBS].data as Float32Array, deltas: boxes ? (out[VERIFIER_DELTAS].data as Float32Array) : undefined };
    },
    release: () => session.release(),
  };
}
