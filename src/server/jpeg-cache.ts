import sharp from 'sharp';
import type { Frame } from '../sources/frame.js';

/**
 * Encodes a camera's newest frame to JPEG once, however many viewers ask for it
 * (snapshot requests and every open MJPEG stream share the result).
 */
export class JpegCache {
  private readonly cache = new Map<string, { seq: number; jpeg: Promise<Buffer> }>();

  constructor(private readonly quality = 80) {}

  jpegOf(frame: Frame): Promise<Buffer> {
    const hit = this.cache.get(frame.camera);
    if (hit && hit.seq === frame.seq) return hit.jpeg;
    const jpeg = sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .jpeg({ quality: this.quality, mozjpeg: false })
      .toBuffer();
    this.cache.set(frame.camera, { seq: frame.seq, jpeg });
    jpeg.catch(() => this.cache.delete(frame.camera));
    return jpeg;
  }
}
