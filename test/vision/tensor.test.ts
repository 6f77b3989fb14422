import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/vision/image.js';
import { toFloatTensor, toInt32Tensor } from '../../src/vision/tensor.js';

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
