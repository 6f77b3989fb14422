import { describe, expect, it } from 'vitest';
import { torsoAngle, torsoTilt } from '../../../src/analyzers/pose/pose-vector.js';
import type { Keypoint } from '../../../src/models/detection.js';

/** Shoulders at `top`, hips at `bottom` (each pair 20 px apart across x), every score 0.9. */
const torso = (top: [number, number], bottom: [number, number]): Keypoint[] => [
  { name: 'left_shoulder', x: top[0] + 10, y: top[1], score: 0.9 },
  { name: 'right_shoulder', x: top[0] - 10, y: top[1], score: 0.9 },
  { name: 'left_hip', x: bottom[0] + 10, y: bottom[1], score: 0.9 },
  { name: 'right_hip', x: bottom[0] - 10, y: bottom[1], score: 0.9 },
];

describe('torso angle and tilt', () => {
  it('measures the torso from straight up: upright 0, lying 90, upside down 180', () => {
    expect(torsoAngle(torso([100, 0], [100, 50]), 0.5)).toBeCloseTo(0);
    expect(torsoAngle(torso([150, 100], [100, 100]), 0.5)).toBeCloseTo(90);
    expect(torsoAngle(torso([50, 100], [100, 100]), 0.5)).toBeCloseTo(90); // lying the other way
    expect(torsoAngle(torso([100, 100], [100, 50]), 0.5)).toBeCloseTo(180);
    expect(torsoAngle(torso([100, 0], [150, 50]), 0.5)).toBeCloseTo(45);
  });

  it('has no angle without both shoulders and both hips seen', () => {
    const kps = torso([100, 0], [100, 50]);
    kps[2] = { ...kps[2], score: 0.3 };
    expect(torsoAngle(kps, 0.5)).toBeNull();
  });

  it("tilt is the torso's line from the vertical: head-down counts as upright, not as lying", () => {
    expect(torsoTilt(0)).toBe(0);
    expect(torsoTilt(180)).toBe(0);
    expect(torsoTilt(90)).toBe(90);
    expect(torsoTilt(168)).toBe(12);
    expect(torsoTilt(120)).toBe(60);
  });
});
