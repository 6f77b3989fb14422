import { describe, expect, it } from 'vitest';
import { iouLoss } from '../../src/train/head.js';

/** One sample's box values: the labelled box's log distances (left, top, right, bottom), then CenterNet's own. */
const box = (label: number[], own: number[]) => Float32Array.from([...label, ...own].map(Math.log));

describe('the IoU box loss', () => {
  it('is 0 when the corrected box is the labelled one, and grows as a side moves off it either way', () => {
    const r = box([10, 30, 14, 25], [10, 30, 14, 25]);
    expect(iouLoss([0.5, 0, 0, 0, 0], 1, r, 0)[4]).toBeCloseTo(0, 12);
    expect(iouLoss([0.5, 0.2, 0, 0, 0], 1, r, 0)[4]).toBeGreaterThan(0.05);
    expect(iouLoss([0.5, -0.2, 0, 0, 0], 1, r, 0)[4]).toBeGreaterThan(0.05);
  });

  it('gives the gradient of 1 − IoU with respect to each correction (finite differences), and each side moves towards the label', () => {
    const r = box([10, 30, 14, 25], [12, 20, 9, 40]);
    const zs = [0, 0, 0.1, -0.2, 0.3, 0.05]; // two class logits, then the four corrections
    const grads = iouLoss(zs, 2, r, 0);
    for (let k = 0; k < 4; k++) {
      const at = (d: number) =>
        iouLoss(
          zs.map((z, i) => (i === 2 + k ? z + d : z)),
          2,
          r,
          0,
        )[4];
      expect(grads[k]).toBeCloseTo((at(1e-6) - at(-1e-6)) / 2e-6, 5);
    }
    // corrected: left 12·e^0.1 > 10, top 20·e^−0.2 < 30, right 9·e^0.3 < 14, bottom 40·e^0.05 > 25
    expect(Math.sign(grads[0])).toBe(1);
    expect(Math.sign(grads[1])).toBe(-1);
    expect(Math.sign(grads[2])).toBe(-1);
    expect(Math.sign(grads[3])).toBe(1);
  });
});
