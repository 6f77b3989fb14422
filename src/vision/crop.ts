import sharp from 'sharp';
import type { RgbImage } from './image.js';
import type { Box } from './iou.js';
import { type LetterboxTensor, letterboxWith } from './resize.js';

/** Context kept around a box on each side, as a share of its width and height. */
const MARGIN = 0.15;

/** The pixels a crop of `box` takes: the box and its margin, inside the image, at least 2×2. */
export function cropRegion(box: Box, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  const x1 = Math.max(0, Math.floor(box[0] - w * MARGIN));
  const y1 = Math.max(0, Math.floor(box[1] - h * MARGIN));
  const cw = Math.min(width, Math.max(2, Math.min(width, Math.ceil(box[2] + w * MARGIN)) - x1));
  const ch = Math.min(height, Math.max(2, Math.min(height, Math.ceil(box[3] + h * MARGIN)) - y1));
  return { left: Math.min(x1, width - cw), top: Math.min(y1, height - ch), width: cw, height: ch };
}

/**
 * Where `box` lies in its crop: its left, top, right and bottom margins as shares of the crop's
 * width or height (0.15 / 1.3 each where the crop is not moved; other values at the picture's edges).
 */
export function boxPlace(box: Box, width: number, height: number): Float32Array {
  const r = cropRegion(box, width, height);
  return Float32Array.of((box[0] - r.left) / r.width, (box[1] - r.top) / r.height, (r.left + r.width - box[2]) / r.width, (r.top + r.height - box[3]) / r.height);
}

/**
 * A box's crop (with its margin) letterboxed into a `size`² NHWC tensor of 0–255 values, as CenterNet
 * takes: cut and scaled in one sharp pipeline (the same pixels as cutting, then letterboxTensor).
 */
export async function cropTensor(img: RgbImage, box: Box, size: number, out?: Float32Array): Promise<LetterboxTensor> {
  const r = cropRegion(box, img.width, img.height);
  return letterboxWith(r, size, size, 0, { layout: 'nhwc' }, out, async (w, h) => {
    let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).extract(r);
    if (w !== r.width || h !== r.height) pipeline = pipeline.resize(w, h, { fit: 'fill', kernel: 'linear' });
    const buf = await pipeline.raw().toBuffer();
    return { width: w, height: h, data: new Uint8Array(buf.buffer, buf.byteOffset, buf.length) };
  });
}
