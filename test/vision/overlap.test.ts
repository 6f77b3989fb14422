import { describe, expect, it } from 'vitest';
import { containment, suppressOverlaps } from '../../src/vision/overlap.js';

describe('containment and suppressOverlaps', () => {
  it('is 1 for a box inside another, whatever their sizes, and 0 for disjoint boxes', () => {
    expect(containment([0, 0, 100, 100], [10, 10, 30, 30])).toBe(1);
    expect(containment([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(containment([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(0.5);
  });

  it('keeps one of a tight box inside a loose one (low IoU), and both of two neighbours', () => {
    // IoU 0.16: plain NMS at 0.3 would keep both
    expect(
      suppressOverlaps(
        [
          [0, 0, 100, 100],
          [10, 10, 50, 50],
        ],
        [0.7, 0.9],
        { iou: 0.3, containment: 0.6 },
      ),
    ).toEqual([1]);
    expect(
      suppressOverlaps(
        [
          [0, 0, 100, 100],
          [90, 0, 190, 100],
        ],
        [0.7, 0.9],
        { iou: 0.3, containment: 0.6 },
      ),
    ).toEqual([1, 0]);
  });
});
