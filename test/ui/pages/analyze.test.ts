import { describe, expect, it } from 'vitest';
// @ts-expect-error: the UI is plain browser JavaScript, without types
import { labelTop } from '../../../src/ui/pages/analyze.js';

type Rect = [number, number, number, number];
const overlaps = ([a, b, c, d]: Rect, [e, f, g, h]: Rect) => a < g && c > e && b < h && d > f;

describe('where the Analyze page draws a label', () => {
  it('puts it above its box, and a second label on the same spot where it covers the first', () => {
    const placed: Rect[] = [];
    // two boxes on one moon (frisbee and sports ball), almost the same
    const first: number = labelTop(placed, 100, 200, 260, 80, 20, 480);
    expect(first).toBe(180);
    placed.push([100, first, 180, first + 20]);
    const second: number = labelTop(placed, 102, 201, 259, 80, 20, 480);
    expect(overlaps([102, second, 182, second + 20], placed[0])).toBe(false);
  });

  it('keeps a label on the picture at its top edge, and takes the first place when none is free', () => {
    expect(labelTop([], 0, 5, 60, 50, 20, 100)).toBe(5); // no room above: inside the box's top
    const full: Rect[] = [[0, 0, 500, 500]];
    expect(labelTop(full, 10, 50, 90, 40, 20, 500)).toBe(30);
  });

  it('stacks labels of a crowd of boxes without covering one another', () => {
    const placed: Rect[] = [];
    for (let i = 0; i < 6; i++) {
      const t: number = labelTop(placed, 50 + i * 3, 100, 300, 90, 20, 600);
      const r: Rect = [50 + i * 3, t, 140 + i * 3, t + 20];
      expect(placed.some((p) => overlaps(p, r))).toBe(false);
      placed.push(r);
    }
  });
});
