import { describe, expect, it } from 'vitest';
import { gaussianRadius, heatmapTargets } from '../../src/train/targets.js';

describe('CenterNet training targets', () => {
  const box = { cls: 0, cx: 10.5, cy: 8.5, w: 8, h: 6 };

  it('puts a peak of 1 at the box’s centre cell, falling off within the Gaussian radius', () => {
    const grid = 32;
    const [map] = heatmapTargets([box], 1, grid);
    expect(map[8 * grid + 10]).toBe(1);
    const r = gaussianRadius(box.h, box.w);
    expect(r).toBeGreaterThan(0);
    expect(map[8 * grid + 10 + r]).toBeGreaterThan(0);
    expect(map[8 * grid + 10 + r]).toBeLessThan(1);
    expect(map[8 * grid + 10 + r + 1]).toBe(0);
  });

  it('on a frame-shaped grid (cols × rows), rows run cols apart and the peak stays inside the last row', () => {
    const [cols, rows] = [32, 20];
    const [map] = heatmapTargets([box, { ...box, cy: 25 }], 1, cols, rows);
    expect(map).toHaveLength(cols * rows);
    expect(map[8 * cols + 10]).toBe(1);
    expect(map[(rows - 1) * cols + 10]).toBe(1); // a centre below the grid is clamped to its last row
  });
});
