import type { FoundFace } from '../../../src/analyzers/faces/faces.js';
import { rgbImage } from '../../../src/vision/image.js';

/** A blank frame, and a sharp 20-px face on it at x: what the face analyzer is handed to embed. */
export const blank = rgbImage(64, 64, new Uint8Array(64 * 64 * 3));

export const foundFace = (x: number): FoundFace => ({
  box: [x, 0, x + 20, 20],
  score: 0.9,
  sharpness: 100,
  status: 'ok',
  image: blank,
  face: { box: [x, 0, x + 20, 20], score: 0.9, landmarks: [] },
});
