import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/vision/image.js';
import { letterboxTensor, resizeImage } from '../../src/vision/resize.js';
import { toFloatTensor } from '../../src/vision/tensor.js';

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

describe('letterboxTensor', () => {
  it('fits a wide image centred in a square with padding above and below', async () => {
    const lb = await letterboxTensor(solid(200, 100, [200, 100, 50]), 64, 64, 114, { layout: 'nhwc' });
    expect(lb.scale).toBeCloseTo(0.32);
    expect([lb.padX, lb.padY]).toEqual([0, 16]);
    const at = (x: number, y: number) => [...lb.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
    expect(at(10, 5)).toEqual([114, 114, 114]);
    expect(at(10, 30)).toEqual([200, 100, 50]);
    expect(at(10, 60)).toEqual([114, 114, 114]);
  });

  it('fits a tall image with padding left and right', async () => {
    const lb = await letterboxTensor(solid(50, 100, [1, 2, 3]), 100, 100, 0, { layout: 'nhwc' });
    expect([lb.scale, lb.padX, lb.padY]).toEqual([1, 25, 0]);
  });

  it('scales pixels and padding alike, in NCHW planes and BGR as asked', async () => {
    const lb = await letterboxTensor(solid(4, 2, [255, 0, 51]), 4, 4, 0, { layout: 'nchw', scale: 1 / 127.5, offset: -1, bgr: true });
    const plane = (c: number) => [...lb.data.subarray(c * 16, c * 16 + 16)].map((v) => Math.round(v * 100) / 100);
    // rows 0 and 3 are padding (pixel 0 → −1); rows 1–2 hold the image, blue first
    expect(plane(0)).toEqual([-1, -1, -1, -1, -0.6, -0.6, -0.6, -0.6, -0.6, -0.6, -0.6, -0.6, -1, -1, -1, -1]);
    expect(plane(2)).toEqual([-1, -1, -1, -1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1]);
  });

  it('gives the values of the scaled image packed with toFloatTensor', async () => {
    const img = { width: 30, height: 20, data: Uint8Array.from({ length: 1800 }, (_, i) => (i * 37) % 256) };
    const lb = await letterboxTensor(img, 16, 16, 0, { layout: 'nhwc', scale: 2, offset: 1 });
    const scaled = toFloatTensor(await resizeImage(img, 16, 11), { layout: 'nhwc', scale: 2, offset: 1 });
    expect([...lb.data.subarray(lb.padY * 16 * 3, (lb.padY + 11) * 16 * 3)]).toEqual([...scaled]);
  });

  it('writes a recycled input whole, padding included, in either layout', async () => {
    const img = { width: 30, height: 20, data: Uint8Array.from({ length: 1800 }, (_, i) => (i * 37) % 256) };
    for (const layout of ['nhwc', 'nchw'] as const)
      for (const [w, h, fill] of [
        [16, 16, 0],
        [16, 16, 114],
        [10, 16, 0],
      ]) {
        const fresh = await letterboxTensor(img, w, h, fill, { layout, scale: 2, offset: 1 });
        const dirty = new Float32Array(w * h * 3).fill(Number.NaN);
        const reused = await letterboxTensor(img, w, h, fill, { layout, scale: 2, offset: 1 }, dirty);
        expect(reused.data).toBe(dirty);
        expect([...reused.data]).toEqual([...fresh.data]);
      }
    await expect(letterboxTensor(img, 16, 16, 0, { layout: 'nhwc' }, new Float32Array(5))).rejects.toThrow(/needs 768 values/);
  });
});

describe('resizeImage', () => {
  it('returns the requested size', async () => {
    const out = await resizeImage(solid(30, 20, [9, 9, 9]), 12, 7);
    expect([out.width, out.height, out.data.length]).toEqual([12, 7, 12 * 7 * 3]);
    expect(out.data[0]).toBe(9);
  });
});
