import { describe, expect, it } from 'vitest';
import type { Point } from '../../src/vision/affine.js';
import { plausibleFaceShape } from '../../src/vision/face-shape.js';
import type { Box } from '../../src/vision/iou.js';

const box: Box = [100, 100, 200, 200];
const ears: Point[] = [
  [100, 140],
  [200, 140],
];

describe('plausibleFaceShape', () => {
  it('passes eyes above the nose above the mouth, frontal or in profile', () => {
    expect(plausibleFaceShape(box, [[130, 135], [170, 135], [150, 160], [150, 180], ...ears])).toBe(true);
    expect(plausibleFaceShape(box, [[165, 135], [185, 137], [195, 165], [180, 185], ...ears])).toBe(true);
  });

  it('fails a mouth level with the eyes, a nose above them, or parts far outside the box', () => {
    expect(plausibleFaceShape(box, [[130, 150], [170, 150], [150, 155], [150, 155], ...ears])).toBe(false);
    expect(plausibleFaceShape(box, [[130, 150], [170, 150], [150, 120], [150, 185], ...ears])).toBe(false);
    expect(plausibleFaceShape(box, [[130, 135], [170, 135], [150, 160], [150, 280], ...ears])).toBe(false);
  });
});
