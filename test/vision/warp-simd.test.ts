import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boxToRect, rotatedSquareToRect, warpToTensor, warpToTensorJs, type Affine } from '../../src/vision/affine.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';
import { simdWarp } from '../../src/vision/warp-simd.js';

/** Deterministic noise: the hardest case for interpolation (every neighbour differs). */
function noise(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, data };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('SIMD warp', () => {
  const img = noise(97, 61, 7);
  const crops: [string, Affine, number, number][] = [
    ['identity', [1, 0, 0, 0, 1, 0], 97, 61],
    ['a box inside, off the pixel grid', boxToRect([10.3, 5.7, 40.1, 30.9], 32, 24), 32, 24],
    ['a box past every edge', boxToRect([-20.5, -15.2, 110.4, 80.8], 48, 40), 48, 40],
    ['rotated inside', rotatedSquareToRect(48, 30, 40, 0.35, 40), 40, 40],
    ['rotated past the edges', rotatedSquareToRect(90, 5, 70, -2.4, 64), 64, 64],
    ['wholly outside', boxToRect([200, 200, 260, 260], 16, 16), 16, 16],
    ['a 4× enlargement', boxToRect([30, 20, 46, 36], 64, 64), 64, 64],
    ['a 3× shrink (pyramid level 1)', boxToRect([0, 0, 96, 60], 32, 20), 32, 20],
    ['a 256² model input', rotatedSquareToRect(50, 30, 80, 1.1, 256), 256, 256],
  ];

  it('runs here (Node has wasm SIMD)', () => {
    expect(simdWarp()).not.toBeNull();
  });

  // Noise is the worst case for 8-bit weights: a position off by 1/512 px moves a value by up to 255/512.
  it.each(crops)('agrees with the float JS loops within 1.3 grey levels on noise: %s', (_, m, w, h) => {
    for (const format of [{}, { bgr: true }, { scale: 1 / 127.5, offset: -1 }, { scale: 1 / 255, bgr: true }]) {
      const scale = Math.abs(('scale' in format ? format.scale : undefined) ?? 1);
      expect(maxDiff(warpToTensor(img, m, w, h, format), warpToTensorJs(img, m, w, h, format))).toBeLessThanOrEqual(1.3 * scale + 1e-6);
    }
  });

  it('agrees within half a grey level, a hundredth on average, on a photo', async () => {
    const photo = await loadImage(join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg'));
    for (const [m, size] of [
      [rotatedSquareToRect(1000, 700, 450, 0.2, 256), 256],
      [rotatedSquareToRect(1800, 1000, 900, -0.3, 256), 256],
      [boxToRect([450.3, 150.7, 900.2, 600.1], 224, 224), 224],
    ] as const) {
      const a = warpToTensor(photo, m, size, size);
      const b = warpToTensorJs(photo, m, size, size);
      expect(maxDiff(a, b)).toBeLessThanOrEqual(0.5);
      expect(a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length).toBeLessThan(0.01);
    }
  });

  it('is exact where the samples fall on pixels', () => {
    const shifted = boxToRect([7, 3, 39, 27], 32, 24);
    expect(maxDiff(warpToTensor(img, shifted, 32, 24), warpToTensorJs(img, shifted, 32, 24))).toBe(0);
  });

  it('leaves a crop whose source region is too large to copy to the JS loops', () => {
    // 4 pixels wide over a million source pixels: the pyramid stops at 8 px, the region would not
    const huge = boxToRect([-5e5, 0, 5e5, 61], 4, 4);
    const inv: Affine = [2.5e5, 0, -5e5, 0, 15, 0];
    expect(simdWarp()!.warp(img, inv, 4, 4, { scale: 1, offset: 0, bgr: false })).toBeNull();
    expect(maxDiff(warpToTensor(img, huge, 4, 4), warpToTensorJs(img, huge, 4, 4))).toBe(0);
  });

  it('uses the JS loops for a fill other than 0', () => {
    const past = boxToRect([-20, -10, 60, 40], 40, 25);
    expect(maxDiff(warpToTensor(img, past, 40, 25, {}, 99), warpToTensorJs(img, past, 40, 25, {}, 99))).toBe(0);
  });

  it('grows its memory for a large crop and keeps working for small ones after', () => {
    const big = noise(1600, 1200, 3);
    const m = rotatedSquareToRect(800, 600, 1000, 0.2, 512);
    expect(maxDiff(warpToTensor(big, m, 512, 512), warpToTensorJs(big, m, 512, 512))).toBeLessThanOrEqual(1.3);
    const small = boxToRect([10.3, 5.7, 40.1, 30.9], 32, 24);
    expect(maxDiff(warpToTensor(img, small, 32, 24), warpToTensorJs(img, small, 32, 24))).toBeLessThanOrEqual(1.3);
  });
});
