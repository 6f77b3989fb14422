import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosaicView } from '../../src/train/features.js';
import { seededRandom } from '../../src/train/rng.js';
import { readYoloSplit, type YoloImage } from '../../src/train/yolo-dataset.js';
import { loadImage } from '../../src/vision/image.js';
import { resizeImage } from '../../src/vision/resize.js';
import { syntheticDataset } from './synthetic-dataset.js';

describe('mosaicView: a photo small, among others (train objects --mosaic)', () => {
  let dir: string;
  let images: YoloImage[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'argus-mosaic-'));
    await syntheticDataset(join(dir, 'data'));
    images = (await readYoloSplit(join(dir, 'data'), 'train', ['target'])).images;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('letterboxes the photo into each cell and moves its boxes with it', async () => {
    // no others: every cell of the 2×2 mosaic holds the photo (320×240 → 256×192, 32 rows of black above and below)
    const item = images[0];
    const { img, boxes } = await mosaicView(item, [], 2, seededRandom(1));
    expect([img.width, img.height]).toEqual([512, 512]);
    const b = item.boxes[0];
    expect(boxes).toHaveLength(4);
    for (const [k, m] of boxes.entries()) {
      const [x0, y0] = [(k % 2) * 256, Math.floor(k / 2) * 256 + 32];
      expect(m.cls).toBe(b.cls);
      expect(m.cx * 512).toBeCloseTo(x0 + b.cx * 256, 6);
      expect(m.cy * 512).toBeCloseTo(y0 + b.cy * 192, 6);
      expect(m.w * 512).toBeCloseTo(b.w * 256, 6);
      expect(m.h * 512).toBeCloseTo(b.h * 192, 6);
    }
    // the bottom-right cell's pixels are the photo scaled, its letterbox rows black
    const small = await resizeImage(await loadImage(item.image), 256, 192);
    const at = (x: number, y: number) => Array.from(img.data.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3));
    expect(at(256 + 100, 256 + 32 + 50)).toEqual(Array.from(small.data.subarray((50 * 256 + 100) * 3, (50 * 256 + 100) * 3 + 3)));
    expect(at(256 + 100, 256 + 10)).toEqual([0, 0, 0]);
  });

  it('puts the photo in one cell and others in the rest, the same for the same seed', async () => {
    const a = await mosaicView(images[0], images.slice(1), 3, seededRandom(5));
    const b = await mosaicView(images[0], images.slice(1), 3, seededRandom(5));
    expect(b.boxes).toEqual(a.boxes);
    expect(Buffer.compare(Buffer.from(a.img.data), Buffer.from(b.img.data))).toBe(0);
    // each of the 9 synthetic photos has one target: 9 boxes, each inside its own cell
    expect(a.boxes).toHaveLength(9);
    const cells = new Set(a.boxes.map((m) => Math.floor(m.cx * 3) + 3 * Math.floor(m.cy * 3)));
    expect(cells.size).toBe(9);
  });
});
