import { describe, expect, it } from 'vitest';
import { applyAffine, boxToRect, invertAffine, rotatedSquareToRect, similarityTransform, warpAffine, warpToTensor, type Affine, type Point } from '../../src/vision/affine.js';
import type { RgbImage } from '../../src/vision/image.js';

function expectPoint(p: Point, q: Point, digits = 6) {
  expect(p[0]).toBeCloseTo(q[0], digits);
  expect(p[1]).toBeCloseTo(q[1], digits);
}

/** A 40×20 image with a horizontal gradient in red and a vertical one in green. */
function gradient(): RgbImage {
  const width = 40,
    height = 20;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      data[(y * width + x) * 3] = x * 5;
      data[(y * width + x) * 3 + 1] = y * 10;
      data[(y * width + x) * 3 + 2] = 200;
    }
  return { width, height, data };
}

describe('similarityTransform', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const theta = 0.3,
      s = 1.7;
    const m: Affine = [s * Math.cos(theta), -s * Math.sin(theta), 12, s * Math.sin(theta), s * Math.cos(theta), -4];
    const src: Point[] = [
      [0, 0],
      [10, 2],
      [3, 9],
      [7, 7],
      [-2, 5],
    ];
    const dst = src.map((p) => applyAffine(m, p));
    const fit = similarityTransform(src, dst);
    for (const [i, v] of fit.entries()) expect(v).toBeCloseTo(m[i], 9);
  });

  it('gives the least-squares fit when the points do not match exactly, never a reflection', () => {
    const src: Point[] = [
      [0, 0],
      [10, 0],
      [0, 10],
    ];
    const mirrored: Point[] = [
      [0, 0],
      [-10, 0],
      [0, 10],
    ];
    const fit = similarityTransform(src, mirrored);
    const det = fit[0] * fit[4] - fit[1] * fit[3];
    expect(det).toBeGreaterThanOrEqual(0);
  });
});

describe('invertAffine', () => {
  it('undoes the transform', () => {
    const m: Affine = [1.2, -0.4, 5, 0.4, 1.2, -3];
    expectPoint(applyAffine(invertAffine(m), applyAffine(m, [7, -2])), [7, -2], 9);
  });
});

describe('rotatedSquareToRect', () => {
  it("puts the centre in the middle and the region's up direction at the top", () => {
    const rot = Math.PI / 2; // region rotated 90° clockwise: its "up" points to +x in the image
    const m = rotatedSquareToRect(100, 50, 40, rot, 256);
    expectPoint(applyAffine(m, [100, 50]), [128, 128]);
    expectPoint(applyAffine(m, [120, 50]), [128, 0]);
  });
});

describe('warpAffine', () => {
  it('copies pixels unchanged under the identity', () => {
    const img = gradient();
    const out = warpAffine(img, [1, 0, 0, 0, 1, 0], img.width, img.height);
    expect(Buffer.from(out.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('crops a box: the output pixel (x, y) shows the source pixel (x + 10, y + 5)', () => {
    const img = gradient();
    const out = warpAffine(img, boxToRect([10, 5, 30, 15], 20, 10), 20, 10);
    expect(out.data[(3 * 20 + 4) * 3]).toBe((4 + 10) * 5);
    expect(out.data[(3 * 20 + 4) * 3 + 1]).toBe((3 + 5) * 10);
  });

  it('averages when shrinking, so a 2× reduction of a gradient lands between the two source pixels', () => {
    const img = gradient();
    const out = warpAffine(img, [0.5, 0, 0, 0, 0.5, 0], 20, 10);
    // output pixel 3 covers source pixels 6 and 7 (red 30 and 35)
    expect(out.data[(2 * 20 + 3) * 3]).toBeCloseTo(32.5, -0.5);
  });

  it('does not alias on a large shrink: a one-pixel checkerboard shrunk 8× is flat grey', () => {
    const size = 256;
    const data = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.fill((x + y) % 2 ? 255 : 0, (y * size + x) * 3, (y * size + x) * 3 + 3);
    const out = warpAffine({ width: size, height: size, data }, [1 / 8, 0, 0, 0, 1 / 8, 0], 32, 32);
    const values = [...out.data];
    expect(Math.min(...values)).toBeGreaterThanOrEqual(120);
    expect(Math.max(...values)).toBeLessThanOrEqual(135);
  });

  it('maps a box of a large image the same whichever pyramid level it samples', () => {
    // A horizontal ramp 1024 wide: after a 4× shrink, output pixel x shows about the mean of source 4x..4x+3.
    const W = 1024;
    const H = 64;
    const data = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[(y * W + x) * 3] = Math.floor(x / 4);
    const out = warpAffine({ width: W, height: H, data }, [0.25, 0, 0, 0, 0.25, 0], 256, 16);
    for (const x of [10, 100, 200]) expect(Math.abs(out.data[(8 * 256 + x) * 3] - x)).toBeLessThanOrEqual(1);
  });

  it('blends the seam and fills beyond it exactly as per-tap bilinear sampling does, rotated or not', () => {
    const img = gradient();
    const fill = 40;
    // Plain bilinear at one sample per pixel (no shrinking here): each tap outside the image is `fill`.
    const reference = (m: Affine, w: number, h: number): number[] => {
      const inv = invertAffine(m);
      const tap = (x: number, y: number, c: number) => (x >= 0 && y >= 0 && x < img.width && y < img.height ? img.data[(y * img.width + x) * 3 + c] : fill);
      const out: number[] = [];
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const [fx, fy] = applyAffine(inv, [x + 0.5, y + 0.5]).map((v) => v - 0.5);
          const x0 = Math.floor(fx),
            y0 = Math.floor(fy),
            ax = fx - x0,
            ay = fy - y0;
          for (let c = 0; c < 3; c++)
            out.push(Math.round(tap(x0, y0, c) * (1 - ax) * (1 - ay) + tap(x0 + 1, y0, c) * ax * (1 - ay) + tap(x0, y0 + 1, c) * (1 - ax) * ay + tap(x0 + 1, y0 + 1, c) * ax * ay));
        }
      return out;
    };
    // Crops reaching past every edge of the 40×20 image, as person squares and tiles do; scale 1, so one sample a pixel.
    const crops: { m: Affine; w: number; h: number }[] = [
      { m: rotatedSquareToRect(20, 10, 32, 0.3, 32), w: 32, h: 32 },
      { m: boxToRect([-7.3, -9.6, 40.7, 22.4], 48, 32), w: 48, h: 32 },
    ];
    for (const { m, w, h } of crops) {
      const out = [...warpAffine(img, m, w, h, fill).data];
      const want = reference(m, w, h);
      expect(Math.max(...out.map((v, i) => Math.abs(v - want[i])))).toBeLessThanOrEqual(1);
      expect(out.filter((v) => v === fill).length).toBeGreaterThan(out.length / 10);
    }
  });

  it('fills pixels outside the source', () => {
    const img = gradient();
    const out = warpAffine(img, [1, 0, 100, 0, 1, 0], 10, 10, 7);
    expect([...out.data.subarray(0, 6)]).toEqual([7, 7, 7, 7, 7, 7]);
  });
});

describe('warpToTensor', () => {
  it('writes each pixel as pixel · scale + offset, unrounded, ready for a model', () => {
    const img = gradient();
    // half a pixel to the right: each red value is the mean of two neighbours, 2.5 above the left one
    const t = warpToTensor(img, boxToRect([10.5, 5, 30.5, 15], 20, 10), 20, 10, { scale: 1 / 255, offset: -0.5 });
    expect(t).toBeInstanceOf(Float32Array);
    expect(t).toHaveLength(20 * 10 * 3);
    const at = (x: number, y: number, c: number) => t[(y * 20 + x) * 3 + c];
    expect(at(4, 3, 0)).toBeCloseTo(((4 + 10) * 5 + 2.5) / 255 - 0.5, 6);
    expect(at(4, 3, 1)).toBeCloseTo(((3 + 5) * 10) / 255 - 0.5, 6);
    expect(at(4, 3, 2)).toBeCloseTo(200 / 255 - 0.5, 6);
    // the byte image rounds the same samples
    expect(warpAffine(img, boxToRect([10.5, 5, 30.5, 15], 20, 10), 20, 10).data[(3 * 20 + 4) * 3]).toBe(Math.round((4 + 10) * 5 + 2.5));
  });

  it('swaps red and blue for BGR models, rotated or not', () => {
    const img = gradient();
    for (const m of [boxToRect([5, 5, 25, 15], 20, 10), rotatedSquareToRect(20, 10, 10, 0.4, 10)]) {
      const rgb = warpToTensor(img, m, 10, 10);
      const bgr = warpToTensor(img, m, 10, 10, { bgr: true });
      for (let i = 0; i < rgb.length; i += 3) expect([bgr[i], bgr[i + 1], bgr[i + 2]]).toEqual([rgb[i + 2], rgb[i + 1], rgb[i]]);
    }
  });

  it('scales `fill` like a pixel: outside the frame a −1…1 model sees −1 for black', () => {
    const t = warpToTensor(gradient(), [1, 0, 100, 0, 1, 0], 4, 4, { scale: 1 / 127.5, offset: -1 });
    expect([...t.subarray(0, 6)]).toEqual([-1, -1, -1, -1, -1, -1]);
  });

  it('writes a recycled input whole, on the SIMD path and the float loops (another fill) alike', () => {
    const img = gradient();
    const m = rotatedSquareToRect(20, 10, 12, 0.3, 8);
    for (const fill of [0, 9]) {
      const fresh = warpToTensor(img, m, 8, 8, { scale: 0.5 }, fill);
      const dirty = new Float32Array(8 * 8 * 3).fill(Number.NaN);
      expect(warpToTensor(img, m, 8, 8, { scale: 0.5 }, fill, dirty)).toBe(dirty);
      expect([...dirty]).toEqual([...fresh]);
    }
    expect(() => warpToTensor(img, m, 8, 8, {}, 0, new Float32Array(3))).toThrow(/needs 192 values/);
  });
});
