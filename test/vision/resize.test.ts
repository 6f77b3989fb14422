import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/vision/image.js';
import { letterbox, resizeImage } from '../../src/vision/resize.js';
import { toFloatTensor, toInt32Tensor } from '../../src/vision/tensor.js';

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

describe('toFloatTensor', () => {
  const img: RgbImage = { width: 2, height: 1, data: Uint8Array.from([0, 127.5, 255, 10, 20, 30]) };

  it('packs NHWC with scale and offset', () => {
    const t = toFloatTensor(img, { layout: 'nhwc', scale: 1 / 127.5, offset: -1 });
    expect(t[0]).toBeCloseTo(-1);
    expect(t[2]).toBeCloseTo(1);
    expect(t.length).toBe(6);
  });

  it('packs NCHW planes, optionally as BGR', () => {
    expect([...toFloatTensor(img, { layout: 'nchw' })]).toEqual([0, 10, 127, 20, 255, 30]);
    expect([...toFloatTensor(img, { layout: 'nchw', bgr: true })]).toEqual([255, 30, 127, 20, 0, 10]);
  });

  it('packs int32 for MoveNet', () => {
    expect([...toInt32Tensor(img)]).toEqual([0, 127, 255, 10, 20, 30]);
  });
});
