import { statSync } from 'node:fs';
import sharp, { type Metadata } from 'sharp';

/** Packed RGB24, row-major: exactly width × height × 3 bytes. Same layout as a source Frame. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** 40 megapixels: larger than any camera frame or phone photo, small enough to decode safely. */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/**
 * 12 megapixels: a 4000×3000 phone photo decodes whole; anything larger is scaled down while it
 * is decoded (JPEG shrink-on-load), so an upload costs at most ~36 MB of pixels however large it
 * claims to be. The models look at 192–512 px inputs and face tiles, so nothing they see is lost.
 */
export const UPLOAD_FIT_PIXELS = 12_000_000;

/**
 * Raster formats only. libvips also renders SVG and PDF, whose cost is not bounded by their pixels:
 * a 2 kB SVG of chained filters kept a decoder thread busy for minutes, and uploads waited behind it.
 */
const PHOTO_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff']);
/** What a refusal asks for: the formats read (HEIF only where this sharp's libvips has a decoder for it). */
const SEND = 'send a JPEG, PNG, WebP, AVIF, GIF or TIFF photo';

/** A raster decode that runs longer than this is abandoned (a photo takes well under a second). */
const DECODE_TIMEOUT_S = 20;

export interface LoadImageOptions {
  /** Refused above this many pixels, before any pixel is decoded. */
  maxPixels?: number;
  /** Scaled down while decoding to at most this many pixels (aspect kept). */
  fitPixels?: number;
}

export class ImageLoadError extends Error {
  constructor(
    readonly code: 'not_an_image' | 'too_large' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'ImageLoadError';
  }
}

/** Width and height of the image that `loadImage` would decode, from its header only; refuses as loadImage does. */
export async function imageSize(input: string | Uint8Array, opts: LoadImageOptions = {}): Promise<{ width: number; height: number }> {
  const { width, height } = await checkedHeader(input, opts.maxPixels ?? DEFAULT_MAX_PIXELS);
  const scale = fitScale(width, height, opts.fitPixels);
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

const fitScale = (width: number, height: number, fitPixels?: number) => (fitPixels && width * height > fitPixels ? Math.sqrt(fitPixels / (width * height)) : 1);

/** The header's size, upright (EXIF orientations 5–8 swap the sides), checked against the pixel limit. */
async function checkedHeader(input: string | Uint8Array, maxPixels: number): Promise<{ width: number; height: number }> {
  if (isEmpty(input)) throw new ImageLoadError('not_an_image', `the file is empty (0 bytes): ${SEND}`);
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const code = /no such file|ENOENT|file is missing/i.test(reason) ? 'unreadable' : 'not_an_image';
    throw new ImageLoadError(code, code === 'unreadable' ? `cannot read file: ${reason}` : `not an image Argus can read: ${SEND} (the decoder said: ${reason})`);
  }
  const { width, height } = meta;
  if (!PHOTO_FORMATS.has(meta.format ?? '')) {
    throw new ImageLoadError('not_an_image', `${meta.format ? `${meta.format.toUpperCase()} files are` : 'this format is'} not photos Argus reads: ${SEND}`);
  }
  if (!width || !height) throw new ImageLoadError('not_an_image', 'not an image (no dimensions in its header)');
  if (width * height > maxPixels) {
    throw new ImageLoadError('too_large', `image is ${width}×${height} (${((width * height) / 1e6).toFixed(0)} MP), over the ${(maxPixels / 1e6).toFixed(0)} MP limit`);
  }
  return (meta.orientation ?? 1) >= 5 ? { width: height, height: width } : { width, height };
}

/**
 * Decodes a file or buffer to RGB, upright (EXIF orientation applied). The header is read first
 * so a decompression bomb is refused before any pixel is decoded; with `fitPixels` a large image
 * is scaled down as it is decoded, never held at full size.
 */
export async function loadImage(input: string | Uint8Array, opts: LoadImageOptions = {}): Promise<RgbImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const size = await imageSize(input, { ...opts, maxPixels });
  try {
    let pipeline = sharp(input, { limitInputPixels: maxPixels }).rotate().timeout({ seconds: DECODE_TIMEOUT_S });
    if (opts.fitPixels) pipeline = pipeline.resize({ width: size.width, height: size.height, fit: 'inside', withoutEnlargement: true });
    const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // a photo whose end is missing (an upload or a copy stopped short): said so, with what to do
    const cut = /premature end|truncated|unexpected end/i.test(reason);
    throw new ImageLoadError('not_an_image', cut ? `the image is cut short (its end is missing: ${reason}): send the whole file again` : `cannot decode image (${reason})`);
  }
}

/** A zero-byte file or buffer (sharp says only "unsupported image format" or "Input Buffer is empty"). */
function isEmpty(input: string | Uint8Array): boolean {
  if (typeof input !== 'string') return input.length === 0;
  try {
    return statSync(input).size === 0;
  } catch {
    return false; // a missing file is said as unreadable below
  }
}

/** Wraps raw RGB bytes (e.g. a camera Frame) without copying. */
export function rgbImage(width: number, height: number, data: Uint8Array): RgbImage {
  if (data.length !== width * height * 3) {
    throw new Error(`RGB buffer is ${data.length} bytes, expected ${width}×${height}×3 = ${width * height * 3}`);
  }
  return { width, height, data };
}
