import type { Box } from './iou.js';
import type { RgbImage } from './image.js';

/** The picture mirrored left to right (a copy). */
export function flipHorizontal(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  const row = img.width * 3;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const s = y * row + x * 3;
      const d = y * row + (img.width - 1 - x) * 3;
      out[d] = img.data[s];
      out[d + 1] = img.data[s + 1];
      out[d + 2] = img.data[s + 2];
    }
  }
  return { width: img.width, height: img.height, data: out };
}

/** A box on the mirrored picture, back on the picture `width` pixels wide. */
export function unflipBox(box: Box, width: number): Box {
  return [width - box[2], box[1], width - box[0], box[3]];
}
