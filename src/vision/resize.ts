import sharp from 'sharp';
import type { RgbImage } from './image.js';

/** Where a letterboxed image sits inside its padded square: source = (input − pad) / scale. */
export interface Letterbox {
  image: RgbImage;
  scale: number;
  padX: number;
  padY: number;
}

/** Scales a whole image with sharp (area-averaging when shrinking, unlike a bilinear warp). */
export async function resizeImage(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (img.width === width && img.height === height) return img;
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * Fits the image inside width × height keeping its aspect ratio, centred, padding with `fill`
 * (YOLO uses 114 grey; MediaPipe models 0).
 */
export async function letterbox(img: RgbImage, width: number, height: number, fill = 0): Promise<Letterbox> {
  const scale = Math.min(width / img.width, height / img.height);
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const padX = Math.floor((width - w) / 2);
  const padY = Math.floor((height - h) / 2);
  const scaled = await resizeImage(img, w, h);
  const out = new Uint8Array(width * height * 3).fill(fill);
  const rowBytes = w * 3;
  for (let y = 0; y < h; y++) {
    const src = y * rowBytes;
    out.set(scaled.data.subarray(src, src + rowBytes), ((y + padY) * width + padX) * 3);
  }
  return { image: { width, height, data: out }, scale, padX, padY };
}
