import type { RgbImage } from '../../vision/image.js';
import type { Box } from '../../vision/iou.js';

/** Faces are measured at this size so the figure depends little on how large the face is. */
const MAX_SIDE = 64;

/**
 * Variance of the 4-neighbour Laplacian of a box's grey pixels, resampled to 64 × 64 (box
 * average; smaller faces at their own size, since upsampling would add
 * blocky edges). A sharp face scores in the hundreds; a motion-blurred or out-of-focus one near zero.
 */
export function sharpness(img: RgbImage, box: Box): number {
  const x0 = Math.max(0, box[0]);
  const y0 = Math.max(0, box[1]);
  const w = Math.min(img.width, box[2]) - x0;
  const h = Math.min(img.height, box[3]) - y0;
  const side = Math.min(MAX_SIDE, Math.floor(w), Math.floor(h));
  if (side < 3) return 0;
  const grey = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    const sy0 = Math.floor(y0 + (y * h) / side);
    const sy1 = Math.max(sy0 + 1, Math.floor(y0 + ((y + 1) * h) / side));
    for (let x = 0; x < side; x++) {
      const sx0 = Math.floor(x0 + (x * w) / side);
      const sx1 = Math.max(sx0 + 1, Math.floor(x0 + ((x + 1) * w) / side));
      let sum = 0;
      let n = 0;
      for (let sy = sy0; sy < sy1; sy++) {
        for (let sx = sx0; sx < sx1; sx++) {
          const i = (sy * img.width + sx) * 3;
          sum += 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
          n++;
        }
      }
      grey[y * side + x] = sum / n;
    }
  }
  let mean = 0;
  let sq = 0;
  const count = (side - 2) * (side - 2);
  for (let y = 1; y < side - 1; y++) {
    for (let x = 1; x < side - 1; x++) {
      const i = y * side + x;
      const lap = grey[i - 1] + grey[i + 1] + grey[i - side] + grey[i + side] - 4 * grey[i];
      mean += lap;
      sq += lap * lap;
    }
  }
  mean /= count;
  return sq / count - mean * mean;
}
