import type { RgbImage } from '../vision/image.js';
import type { Box } from '../vision/iou.js';

/** Copies the pixels of an integer box (clipped to the image) into a new image. */
export function cropImage(img: RgbImage, box: Box): { image: RgbImage; left: number; top: number } {
  const left = Math.max(0, Math.floor(box[0]));
  const top = Math.max(0, Math.floor(box[1]));
  const right = Math.min(img.width, Math.ceil(box[2]));
  const bottom = Math.min(img.height, Math.ceil(box[3]));
  const width = Math.max(1, right - left);
  const height = Math.max(1, bottom - top);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = ((top + y) * img.width + left) * 3;
    data.set(img.data.subarray(src, src + width * 3), y * width * 3);
  }
  return { image: { width, height, data }, left, top };
}

/** A box found in a crop, back in the frame's pixels. */
export function shiftBox(box: Box, left: number, top: number): Box {
  return [box[0] + left, box[1] + top, box[2] + left, box[3] + top];
}

/** Grows a box by `factor` about its centre, clipped to width × height. */
export function growBox(box: Box, factor: number, width: number, height: number): Box {
  const cx = (box[0] + box[2]) / 2;
  const cy = (box[1] + box[3]) / 2;
  const hw = ((box[2] - box[0]) * factor) / 2;
  const hh = ((box[3] - box[1]) * factor) / 2;
  return [Math.max(0, cx - hw), Math.max(0, cy - hh), Math.min(width, cx + hw), Math.min(height, cy + hh)];
}
