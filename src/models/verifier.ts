import { nms } from '../vision/nms.js';
import type { RgbImage } from '../vision/image.js';
import type { Box } from '../vision/iou.js';
import type { ObjectDetection } from './detection.js';

/**
 * A trained class's second look (docs/weapons.md, "The verifier"): the detector's candidate is
 * cropped, seen at the scale the backbone knows best, and a small classifier says how likely it
 * is each of its head's classes or none. `run` takes the crop and the extras, gives the
 * probabilities ("none" first, then `classes` in order).
 */
export interface Verifier {
  classes: readonly string[];
  run: (img: RgbImage, box: Box, extras: Float32Array) => Promise<VerifierAnswer>;
}

/** The class probabilities ("none" first); from a verifier with a box regressor, the box's corrections too (refineBox). */
export interface VerifierAnswer {
  probs: Float32Array;
  deltas?: Float32Array;
}

/**
 * Candidates of a verified class below this detector score keep it unseen, on camera frames
 * (`live`): once verified they could reach at most its square root, 0.5, below the default weapon
 * thresholds, and on camera frames with people most candidates score under it, so verifying
 * them would cost 4–5 crops a frame (docs/weapons.md). A pistol at a wrist from 0.08 to 0.25
 * (verified, then raised) is the price.
 */
export const VERIFY_FLOOR = 0.25;
/**
 * On a photo (`all`: uploads, `argus analyze`, the valid figures), analysed once, every candidate
 * from this score is verified: the lowest a verified pistol could rise from to its default
 * threshold with the wrist raise ((0.5 − 0.3) / 0.7, squared). A candidate the verifier is sure of
 * gains (√(p × s) > s when p > s): AP@0.5 +0.03 pistol, +0.04 knife on the valid split.
 */
export const PHOTO_VERIFY_FLOOR = 0.08;
/** Verified candidates of a class overlapping a higher one by more than this are dropped (verifyDetections). */
const VERIFIED_NMS_IOU = 0.5;
/** At most this many candidates a picture are verified (the highest); the rest keep the detector's score. */
export const MAX_VERIFIED = 5;

/** What the verifier reads beside the crop: the candidate's class (one-hot over its head), its box's share of the picture and its aspect, as logs. */
export function verifierExtras(box: Box, width: number, height: number, classIndex: number, classes: number): Float32Array {
  const out = new Float32Array(classes + 2);
  out[classIndex] = 1;
  const w = Math.max(1, box[2] - box[0]);
  const h = Math.max(1, box[3] - box[1]);
  out[classes] = Math.log((w * h) / (width * height));
  out[classes + 1] = Math.log(w / h);
  return out;
}

/**
 * How far a verified box moves towards the regressor's box: half-way measured above the whole way
 * and a third on the weapons' test split (docs/weapons.md, "The box"): its corrections are right
 * on average and noisy one by one.
 */
export const BOX_STEP = 0.5;

/**
 * The largest correction taken, per term: the centre at most one box away, the size at most 4×
 * either way. Training candidates overlap their label at IoU ≥ 0.3, whose corrections stay well
 * inside these; a head file with wild weights must not throw a box across the picture.
 */
const MAX_SHIFT = 1;
const MAX_LOG_SCALE = Math.log(4);

/**
 * The box the regressor's corrections give (the centre moved by dx·w and dy·h, the width and
 * height scaled by e^dw and e^dh, as R-CNN's), `step` of the way from `box`, inside the picture.
 * Corrections that are not finite leave the box as it is; large ones are capped (above).
 */
export function refineBox(box: Box, deltas: ArrayLike<number>, width: number, height: number, step = BOX_STEP): Box {
  for (let i = 0; i < 4; i++) if (!Number.isFinite(deltas[i])) return box;
  const cap = (d: number, limit: number) => Math.min(limit, Math.max(-limit, d));
  const dx = cap(deltas[0], MAX_SHIFT);
  const dy = cap(deltas[1], MAX_SHIFT);
  const dw = cap(deltas[2], MAX_LOG_SCALE);
  const dh = cap(deltas[3], MAX_LOG_SCALE);
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  const cx = (box[0] + box[2]) / 2 + dx * w;
  const cy = (box[1] + box[3]) / 2 + dy * h;
  const rw = w * Math.exp(dw);
  const rh = h * Math.exp(dh);
  const to = [cx - rw / 2, cy - rh / 2, cx + rw / 2, cy + rh / 2];
  const limit = [width, height, width, height];
  return box.map((b, i) => Math.min(limit[i], Math.max(0, b + (to[i] - b) * step))) as Box;
}

/** The detector's score and the verifier's probability, geometric mean: measured above either alone (docs/weapons.md). */
export function verifiedScore(probability: number, detectorScore: number): number {
  return Math.sqrt(probability * detectorScore);
}

/**
 * Rescores the detections of each verifier's classes (the highest MAX_VERIFIED of them from
 * `floor` up), moves their boxes where the verifier has a box regressor, suppresses the verified
 * ones that now overlap a better one, and keeps what then scores `minScore` or more. The rest (below the floor, or past
 * the first few) keep the detector's score: too low to reach a weapon threshold once verified
 * (a verified score is at most the square root of the detector's), not worth the crop's cost.
 * Detections of other classes pass unchanged.
 */
export async function verifyDetections(
  img: RgbImage,
  dets: ObjectDetection[],
  verifiers: readonly Verifier[],
  minScore: number,
  floor = VERIFY_FLOOR,
  step = BOX_STEP,
): Promise<ObjectDetection[]> {
  const owner = new Map<string, { v: Verifier; index: number }>();
  for (const v of verifiers) for (const [index, c] of v.classes.entries()) owner.set(c, { v, index });
  const kept: ObjectDetection[] = [];
  const candidates: ObjectDetection[] = [];
  for (const d of dets) {
    if (owner.has(d.label) && d.score >= floor) candidates.push(d);
    else if (d.score >= minScore) kept.push(d);
  }
  candidates.sort((a, b) => b.score - a.score);
  for (const d of candidates.slice(MAX_VERIFIED)) if (d.score >= minScore) kept.push(d);
  // Sent together: the session pool queues them, so the worker runs one while the next is cropped.
  const verified = await Promise.all(
    candidates.slice(0, MAX_VERIFIED).map(async (d) => {
      const { v, index } = owner.get(d.label) as { v: Verifier; index: number };
      const { probs, deltas } = await v.run(img, d.box, verifierExtras(d.box, img.width, img.height, index, v.classes.length));
      return { ...d, score: verifiedScore(probs[index + 1], d.score), box: deltas ? refineBox(d.box, deltas, img.width, img.height, step) : d.box };
    }),
  );
  // Moved towards the same weapon, two candidates of it can now overlap where their first boxes
  // did not: suppressed again as the decoder does (IoU 0.5, per class), pistol AP +0.02–0.03.
  const labels = verified.map((d) => d.label);
  const distinct = nms(
    verified.map((d) => d.box),
    verified.map((d) => d.score),
    { iouThreshold: VERIFIED_NMS_IOU, classes: labels.map((l) => labels.indexOf(l)) },
  );
  for (const i of distinct) if (verified[i].score >= minScore) kept.push(verified[i]);
  return kept.sort((a, b) => b.score - a.score);
}
