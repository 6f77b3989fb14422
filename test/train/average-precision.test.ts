import { describe, expect, it } from 'vitest';
import { atThreshold, averagePrecision, thresholdForPrecision } from '../../src/train/average-precision.js';

// Two bins on two photos; detections by falling score: right, right, a false one.
const truth = [
  { image: 0, cls: 0, box: [0, 0, 10, 10] as [number, number, number, number] },
  { image: 1, cls: 0, box: [0, 0, 10, 10] as [number, number, number, number] },
];
const dets = [
  { image: 0, cls: 0, score: 0.9, box: [0, 0, 10, 10] as [number, number, number, number] },
  { image: 1, cls: 0, score: 0.6, box: [1, 1, 10, 10] as [number, number, number, number] },
  { image: 1, cls: 0, score: 0.4, box: [50, 50, 60, 60] as [number, number, number, number] },
];

describe('averagePrecision', () => {
  it('gives AP 1 when every box is found before any false detection, and precision and recall at each score', () => {
    const curve = averagePrecision(dets, truth, 0);
    expect(curve.ap).toBeCloseTo(1, 6);
    expect(curve.boxes).toBe(2);
    expect(atThreshold(curve, 0.5)).toEqual({ precision: 1, recall: 1 });
    expect(atThreshold(curve, 0.3)).toEqual({ precision: 2 / 3, recall: 1 });
  });
});

describe('thresholdForPrecision', () => {
  it('takes the highest score with the most recall at the precision asked: not a false alarm past full recall', () => {
    const curve = averagePrecision([...dets, { image: 0, cls: 0, score: 0.5, box: [70, 70, 80, 80] }], truth, 0);
    // 0.6 finds both bins with precision 1; 0.5 keeps precision 2/3 but adds only a false alarm
    expect(thresholdForPrecision(curve, 0.6)).toBeCloseTo(0.6, 6);
    // asked 0.5, the lowest score still there was 0.4: two false alarms for no more recall
    expect(thresholdForPrecision(curve, 0.5)).toBeCloseTo(0.6, 6);
  });
});
