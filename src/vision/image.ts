import sharp, { type Metadata } from 'sharp';

/** Packed RGB24, row-major: exactly width × height × 3 bytes. Same layout as a source Frame. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** 40 megapixels: larger than any camera frame or phone photo, small enough to decode safely. */
export const DEFAULT_MAX_PIXELS = 40_000_000;

export class ImageLoadError extends Error {
  constructor(
    readonly code: 'not_an_image' | 'too_large' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'ImageLoadError';
  }
}

/**
 * Decodes a file or buffer to RGB, upright (EXIF orientation applied). The header is read first
 * so a decompression bomb is refused before any pixel is decoded.
 */
export async function loadImage(input: string | Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): Promise<RgbImage> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const code = /no such file|ENOENT|file is missing/i.test(reason) ? 'unreadable' : 'not_an_image';
    throw new ImageLoadError(code, code === 'unreadable' ? `cannot read file: ${reason}` : `not an image (${reason})`);
  }
  const { width, height } = meta;
  if (!width || !height) throw new ImageLoadError('not_an_image', 'not an image (no dimensions in its header)');
  if (width * height > maxPixels) {
    throw new ImageLoadError(
      'too_large',
      `image is ${width}×${height} (${((width * height) / 1e6).toFixed(0)} MP), over the ${(maxPixels / 1e6).toFixed(0)} MP limit`,
    );
  }
  try {
    const { data, info } = await sharp(input, { limitInputPixels: maxPixels })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new ImageLoadError('not_an_image', `cannot decode image (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Wraps raw RGB bytes (e.g. a camera Frame) without copying. */
export function rgbImage(width: number, height: number, data: Uint8Array): RgbImage {
  if (data.length !== width * height * 3) {
    throw new Error(`RGB buffer is ${data.length} bytes, expected ${width}×${height}×3 = ${width * height * 3}`);
  }
  return { width, height, data };
}
