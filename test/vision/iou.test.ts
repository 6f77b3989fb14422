import { describe, expect, it } from 'vitest';
import { boxArea, clipBox, iou } from '../../src/vision/iou.js';
import { nms } from '../../src/vision/nms.js';

describe('iou', () => {
  it('is 1 for identical boxes, 0 for disjoint ones, and the overlap ratio otherwise', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 10);
  });

  it('treats inverted boxes as empty', () => {
    expect(boxArea([10, 10, 0, 0])).toBe(0);
    expect(iou([10, 10, 0, 0], [0, 0, 10, 10])).toBe(0);
  });

  it('clips boxes to the image', () => {
    expect(clipBox([-5, -5, 120, 50], 100, 40)).toEqual([0, 0, 100, 40]);
  });
});

describe('nms', () => {
  const boxes: [number, number, number, number][] = [
    [0, 0, 10, 10],
    [1, 0, 11, 10],
    [50, 50, 60, 60],
    [0, 1, 10, 11],
  ];
  const scores = [0.8, 0.9, 0.5, 0.7];

  it('keeps the best of each overlapping group, best first', () => {
    expect(nms(boxes, scores, { iouThreshold: 0.5 })).toEqual([1, 2]);
  });

  it('limits the number kept', () => {
    expect(nms(boxes, scores, { iouThreshold: 0.5, maxDetections: 1 })).toEqual([1]);
  });

  it('only suppresses within a class when classes are given', () => {
    expect(nms(boxes, scores, { iouThreshold: 0.5, classes: [0, 1, 0, 0] })).toEqual([1, 0, 2]);
  });
});
