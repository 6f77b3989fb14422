import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/vision/image.js';
import { letterbox, resizeImage } from '../../src/vision/resize.js';

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

describe('letterbox', () => {
  it('fits a wide image centred in a square with padding above and below', async () => {
    const lb = await letterbox(solid(200, 100, [200, 100, 50]), 64, 64, 114);
    expect(lb.scale).toBeCloseTo(0.32);
    expect([lb.padX, lb.padY]).toEqual([0, 16]);
    const at = (x: number, y: number) => [...lb.image.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
    expect(at(10, 5)).toEqual([114, 114, 114]);
    expect(at(10, 30)).toEqual([200, 100, 50]);
    expect(at(10, 60)).toEqual([114, 114, 114]);
  });

  it('fits a tall image with padding left and right', async () => {
    const lb = await letterbox(solid(50, 100, [1, 2, 3]), 100, 100);
    expect([lb.scale, lb.padX, lb.padY]).toEqual([1, 25, 0]);
  });
});

describe('resizeImage', () => {
  it('returns the requested size', async () => {
    const out = await resizeImage(solid(30, 20, [9, 9, 9]), 12, 7);
    expect([out.width, out.height, out.data.length]).toEqual([12, 7, 12 * 7 * 3]);
    expect(out.data[0]).toBe(9);
  });
});
