import type { RgbImage } from '../../vision/image.js';
import type { Box } from '../../vision/iou.js';

/** One byte a pixel, 1 where the person is: the reference method's binary silhouette. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The reference method's segmentation: a pixel belongs to the person when the mean of its
 * absolute R, G and B differences from the background frame exceeds `threshold` (the paper
 * tried 5–60 and found 45–50 best). `region` limits it to one seat's box; the mask keeps the
 * frame's size so boxes and features stay in frame pixels.
 */
export function personMask(frame: RgbImage, background: RgbImage, threshold: number, region?: Box): Mask {
  if (frame.width !== background.width || frame.height !== background.height) {
    throw new Error(`background is ${background.width}×${background.height}, the frame ${frame.width}×${frame.height}`);
  }
  const { width, height } = frame;
  const data = new Uint8Array(width * height);
  const [x0, y0, x1, y1] = region ? clampRegion(region, width, height) : [0, 0, width, height];
  // mean > T  ⇔  sum > 3T: integers only in the loop
  const limit = threshold * 3;
  const a = frame.data;
  const b = background.data;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * width + x;
      const i = p * 3;
      const sum = Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
      if (sum > limit) data[p] = 1;
    }
  }
  return { width, height, data };
}

function clampRegion(box: Box, width: number, height: number): Box {
  return [Math.max(0, Math.floor(box[0])), Math.max(0, Math.floor(box[1])), Math.min(width, Math.ceil(box[2])), Math.min(height, Math.ceil(box[3]))];
}

/** The share of `region`'s pixels set in the mask (how much of a seat differs from its empty self). */
export function maskCoverage(mask: Mask, region: Box): number {
  const [x0, y0, x1, y1] = clampRegion(region, mask.width, mask.height);
  let set = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) set += mask.data[y * mask.width + x];
  const area = (x1 - x0) * (y1 - y0);
  return area > 0 ? set / area : 0;
}

/**
 * The silhouette's bounding box, `[x0, y0, x1, y1)` in pixels (x1, y1 exclusive), or null when
 * no pixel is set. Rows and columns with fewer than `minPixels` set pixels are treated as noise
 * (single flickering pixels would otherwise stretch the box to the frame's edges); the paper
 * takes the box of every set pixel, which is `minPixels = 1`.
 */
export function silhouetteBox(mask: Mask, minPixels = 1): Box | null {
  const { width, height, data } = mask;
  const rows = new Uint32Array(height);
  const cols = new Uint32Array(width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (data[row + x]) {
        rows[y]++;
        cols[x]++;
      }
    }
  }
  const first = (counts: Uint32Array) => counts.findIndex((c) => c >= minPixels);
  const last = (counts: Uint32Array) => {
    for (let i = counts.length - 1; i >= 0; i--) if (counts[i] >= minPixels) return i;
    return -1;
  };
  const top = first(rows);
  const left = first(cols);
  if (top < 0 || left < 0) return null;
  return [left, top, last(cols) + 1, last(rows) + 1];
}
