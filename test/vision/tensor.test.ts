import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/vision/image.js';
import { packTensor, toFloatTensor, toInt32Tensor } from '../../src/vision/tensor.js';

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

  it('packs an image into a larger tensor at an offset, and refuses one that does not fit', () => {
    const out = new Float32Array(3 * 2 * 3).fill(-1);
    packTensor(img, out, 3, 2, 1, 1, { layout: 'nhwc' });
    expect([...out]).toEqual([-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 127, 255, 10, 20, 30]);
    const planes = new Float32Array(3 * 2 * 3);
    packTensor(img, planes, 3, 2, 1, 0, { layout: 'nchw' });
    expect([...planes]).toEqual([0, 0, 10, 0, 0, 0, 0, 127, 20, 0, 0, 0, 0, 255, 30, 0, 0, 0]);
    expect(() => packTensor(img, out, 3, 2, 2, 0, { layout: 'nhwc' })).toThrow(/does not fit/);
  });

  it('packs int32 for MoveNet', () => {
    expect([...toInt32Tensor(img)]).toEqual([0, 127, 255, 10, 20, 30]);
  });
});
