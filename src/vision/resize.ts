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
 * conversion of the padding (a third of a 512² input for a 3:2 frame). `out`, when given (a
 * recycled input: SessionPool.float32), is written whole, padding included.
 */
export async function letterboxTensor(img: RgbImage, width: number, height: number, fill: number, opts: TensorOptions, out?: Float32Array): Promise<LetterboxTensor> {
  return letterboxWith(img, width, height, fill, opts, out, (w, h) => resizeImage(img, w, h));
}

/**
 * `letterboxTensor` of a `size.width` × `size.height` picture that `scaleTo(w, h)` gives at the
 * letterboxed size (a crop, cut and scaled in one sharp pipeline: src/vision/crop.ts).
 */
export async function letterboxWith(
  size: { width: number; height: number },
  width: number,
  height: number,
  fill: number,
  opts: TensorOptions,
  out: Float32Array | undefined,
  scaleTo: (w: number, h: number) => Promise<RgbImage>,
): Promise<LetterboxTensor> {
  const scale = Math.min(width / size.width, height / size.height);
  const w = Math.max(1, Math.round(size.width * scale));
  const h = Math.max(1, Math.round(size.height * scale));
  const padX = Math.floor((width - w) / 2);
  const padY = Math.floor((height - h) / 2);
  const scaled = await scaleTo(w, h);
  if (out && out.length !== width * height * 3) throw new Error(`a ${width}×${height} input needs ${width * height * 3} values, not ${out.length}`);
  const data = out ?? new Float32Array(width * height * 3);
  const padValue = fill * (opts.scale ?? 1) + (opts.offset ?? 0);
  if (out || padValue !== 0) fillPadding(data, width, height, padX, padY, w, h, padValue, opts.layout);
  packTensor(scaled, data, width, height, padX, padY, opts);
  return { data, scale, padX, padY };
}

/** Writes `value` everywhere outside the w × h image placed at (padX, padY). */
function fillPadding(data: Float32Array, width: number, height: number, padX: number, padY: number, w: number, h: number, value: number, layout: TensorOptions['layout']): void {
  const plane = width * height;
  // [start, end) in pixels of one plane; NHWC spans 3 values a pixel, NCHW repeats per channel plane.
  const span = (start: number, end: number) => {
    if (end <= start) return;
    if (layout === 'nhwc') data.fill(value, start * 3, end * 3);
    else for (let c = 0; c < 3; c++) data.fill(value, c * plane + start, c * plane + end);
  };
  span(0, padY * width);
  for (let y = padY; y < padY + h; y++) {
    span(y * width, y * width + padX);
    span(y * width + padX + w, (y + 1) * width);
  }
  span((padY + h) * width, plane);
}
