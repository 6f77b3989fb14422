import type { Point } from './affine.js';
import type { Box } from './iou.js';

/**
 * Whether BlazeFace's landmarks (right eye, left eye, nose, mouth, …) sit where a face's would in
 * its box: all four inside the box grown by a fifth, the mouth clearly below the eyes, the nose
 * not above the eyes nor below the mouth. Loose on purpose: profiles, tilted and foreshortened
 * heads pass (nose 0.2–1.7 and mouth 0.8–3.1 eye-distances below the eyes on real faces); what
 * fails is a box whose "face" is a pattern with the parts out of place.
 */
export function plausibleFaceShape(box: Box, landmarks: readonly Point[]): boolean {
  if (landmarks.length < 4) return false;
  const [right, left, nose, mouth] = landmarks;
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  if (!(w > 0 && h > 0)) return false;
  const inside = ([x, y]: Point) => x >= box[0] - 0.2 * w && x <= box[2] + 0.2 * w && y >= box[1] - 0.2 * h && y <= box[3] + 0.2 * h;
  if (![right, left, nose, mouth].every(inside)) return false;
  const eyesY = (right[1] + left[1]) / 2;
  return mouth[1] - eyesY >= 0.15 * h && nose[1] >= eyesY - 0.05 * h && nose[1] <= mouth[1] + 0.05 * h;
}
