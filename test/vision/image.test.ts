import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageLoadError, loadImage } from '../../src/vision/image.js';
import { hugePngHeader } from './png-bomb.js';

describe('loadImage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-image-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('decodes a JPEG to packed RGB, upright per its EXIF orientation', async () => {
    const path = join(dir, 'rotated.jpg');
    // 60×20 red/blue halves, stored with orientation 6 (displayed rotated 90° clockwise)
    const raw = Buffer.alloc(60 * 20 * 3);
    for (let i = 0; i < 60 * 20; i++) raw.set(i % 60 < 30 ? [255, 0, 0] : [0, 0, 255], i * 3);
    await sharp(raw, { raw: { width: 60, height: 20, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toFile(path);
    const img = await loadImage(path);
    expect([img.width, img.height]).toEqual([20, 60]);
    expect(img.data.length).toBe(20 * 60 * 3);
    expect(img.data[0]).toBeGreaterThan(200); // top-left is red after rotation
    expect(img.data[59 * 20 * 3 + 2]).toBeGreaterThan(200); // bottom-left is blue
  });

  it('drops alpha from PNGs', async () => {
    const png = await sharp({ create: { width: 8, height: 4, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const img = await loadImage(png);
    expect(img.data.length).toBe(8 * 4 * 3);
    expect([...img.data.subarray(0, 3)]).toEqual([10, 20, 30]);
  });

  it('refuses a 50000×50000 PNG from its header, before decoding', async () => {
    const path = join(dir, 'bomb.png');
    await writeFile(path, hugePngHeader(50_000, 50_000));
    await expect(loadImage(path)).rejects.toMatchObject({ code: 'too_large', message: expect.stringContaining('50000×50000') });
  });

  it('says a text file is not an image', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'hello');
    const err = await loadImage(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageLoadError);
    expect(err).toMatchObject({ code: 'not_an_image' });
  });

  it('refuses an SVG (and any other vector or document format) before rendering it, however small', async () => {
    // 1.8 kB whose filters kept a decoder thread busy for minutes (a user pass): never rendered now.
    const blur = Array.from({ length: 20 }, (_, i) => `<feGaussianBlur in="${i ? `b${i - 1}` : 'SourceGraphic'}" stdDeviation="40" result="b${i}"/>`).join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="6000" height="6000"><filter id="f">${blur}</filter><rect width="6000" height="6000" filter="url(#f)"/></svg>`;
    const started = Date.now();
    const err = await loadImage(Buffer.from(svg)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not_an_image', message: 'SVG files are not photos Argus reads: send a JPEG, PNG, WebP, AVIF, GIF or TIFF photo' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('says an empty file is empty, as a path or a buffer (sharp said "unsupported image format" or "Input Buffer is empty")', async () => {
    const path = join(dir, 'empty.jpg');
    await writeFile(path, '');
    for (const input of [path, new Uint8Array(0)]) {
      await expect(loadImage(input)).rejects.toMatchObject({ code: 'not_an_image', message: 'the file is empty (0 bytes): send a JPEG, PNG, WebP, AVIF, GIF or TIFF photo' });
    }
  });

  it('says a JPEG cut short is cut short, and to send it whole', async () => {
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#3a6' } })
      .jpeg()
      .toBuffer();
    const err = await loadImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))).catch((e) => e);
    expect(err).toBeInstanceOf(ImageLoadError);
    expect(err.message).toMatch(/^the image is cut short \(its end is missing: .*\): send the whole file again$/);
  });

  it('says a missing file cannot be read', async () => {
    await expect(loadImage(join(dir, 'missing.jpg'))).rejects.toMatchObject({ code: 'unreadable' });
  });
});
