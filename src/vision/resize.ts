import sharp from 'sharp';
import type { RgbImage } from './image.js';
import { packTensor, type TensorOptions } from './tensor.js';

/** Scales a whole image with sharp (area-averaging when shrinking, unlike a bilinear warp). */
export async function resizeImage(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (img.width === width && img.height === height) return img;
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Where letterboxTensor() put the image: source = (input − pad) / scale. */
export interface LetterboxTensor {
  data: Float32Array;
  scale: number;
  padX: number;
  padY: number;
}

/**
 * Fits the image inside width × height keeping its aspect ratio, centred, padded with the pixel
 * value `fill` (YOLO uses 114 grey; MediaPipe models 0), straight into a model's float input: the
 * padding is written once and the scaled rows packed into place, with no padded byte image and no
 * conversion of the padding (a third of a 512² input for a 3:2 frame).
 */
export async function letterboxTensor(img: RgbImage, width: number, height: number, fill: number, opts: TensorOptions): Promise<LetterboxTensor> {
  const scale = Math.min(width / img.width, height / img.height);
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const padX = Math.floor((width - w) / 2);
  const padY = Math.floor((height - h) / 2);
  const scaled = await resizeImage(img, w, h);
  const data = new Float32Array(width * height * 3);
  const padValue = fill * (opts.scale ?? 1) + (opts.offset ?? 0);
  if (padValue !== 0) data.fill(padValue);
  packTensor(scaled, data, width, height, padX, padY, opts);
  return { data, scale, padX, padY };
}
