import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { boxPlace, cropRegion, cropTensor } from '../../src/vision/crop.js';
import { loadImage } from '../../src/vision/image.js';
import type { Box } from '../../src/vision/iou.js';
import { letterboxTensor } from '../../src/vision/resize.js';

describe('cropRegion', () => {
  it('keeps 15 % of the box on each side as context', () => {
    expect(cropRegion([100, 100, 200, 300], 640, 480)).toEqual({ left: 85, top: 70, width: 130, height: 260 });
  });

  it('stays inside the picture at its edges', () => {
    expect(cropRegion([-20, 400, 100, 500], 640, 480)).toEqual({ left: 0, top: 385, width: 118, height: 95 });
    expect(cropRegion([600, 0, 700, 50], 640, 480)).toEqual({ left: 585, top: 0, width: 55, height: 58 });
  });

  it('a degenerate box still gives at least 2×2 pixels inside the picture', () => {
    const r = cropRegion([639.5, 479.5, 639.5, 479.5], 640, 480);
    expect(r.width).toBeGreaterThanOrEqual(2);
    expect(r.height).toBeGreaterThanOrEqual(2);
    expect(r.left + r.width).toBeLessThanOrEqual(640);
    expect(r.top + r.height).toBeLessThanOrEqual(480);
  });
});

describe('boxPlace', () => {
  it('the box margins as shares of its crop: 0.15 of 1.3 each side unmoved, other values at the edges', () => {
    expect(Array.from(boxPlace([100, 100, 200, 300], 640, 480)).map((v) => Number(v.toFixed(4)))).toEqual([0.1154, 0.1154, 0.1154, 0.1154]);
    // the crop starts at the picture's left edge and holds the box's left part off the picture
    const edge = boxPlace([-20, 400, 100, 500], 640, 480);
    expect(edge[0]).toBeCloseTo(-20 / 118, 6);
    expect(edge[3]).toBeCloseTo((480 - 500) / 95, 6);
  });
});

describe('cropTensor', () => {
  it('letterboxes the crop into a square NHWC tensor of the crop pixels', async () => {
    // 40×20 picture: left half red, right half blue; the box covers the right half.
    const data = new Uint8Array(40 * 20 * 3);
    for (let y = 0; y < 20; y++)
      for (let x = 0; x < 40; x++) {
        const i = (y * 40 + x) * 3;
        if (x < 20) data[i] = 255;
        else data[i + 2] = 255;
      }
    const t = await cropTensor({ width: 40, height: 20, data }, [24, 2, 36, 18], 32);
    expect(t.data.length).toBe(32 * 32 * 3);
    const centre = (16 * 32 + 16) * 3;
    expect(Array.from(t.data.subarray(centre, centre + 3))).toEqual([0, 0, 255]);
  });
});

describe('cropTensor in one pipeline', () => {
  it('gives exactly what cutting the crop out and then letterboxing it gives', async () => {
    const img = await loadImage(join(import.meta.dirname, '../../../shared/fixtures/people/group-3.jpg'));
    const boxes: Box[] = [
      [100, 120, 180, 160],
      [10, 10, 400, 300],
      [img.width - 30, img.height - 500, img.width + 10, img.height],
      [50, 60, 52, 61],
    ];
    for (const box of boxes) {
      const r = cropRegion(box, img.width, img.height);
      const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
        .extract(r)
        .raw()
        .toBuffer();
      const twoSteps = await letterboxTensor({ width: r.width, height: r.height, data: new Uint8Array(buf) }, 128, 128, 0, { layout: 'nhwc' });
      const oneStep = await cropTensor(img, box, 128);
      expect(oneStep.scale).toBe(twoSteps.scale);
      expect(Buffer.from(oneStep.data.buffer).equals(Buffer.from(twoSteps.data.buffer)), JSON.stringify(box)).toBe(true);
    }
  });
});
