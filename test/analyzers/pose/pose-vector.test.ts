import { describe, expect, it } from 'vitest';
import { analyzersSchema } from '../../../src/analyzers/config.js';
import { type PoseVector, poseSimilarity, torsoAngle, torsoTilt } from '../../../src/analyzers/pose/pose-vector.js';
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

/** A standing body (hip-centred, torso 1 long) with its elbows and wrists where given. */
const standing = (elbows: [number, number], wrists: [number, number]): PoseVector => ({
  left_shoulder: [0.2, -1],
  right_shoulder: [-0.2, -1],
  left_elbow: [0.25, elbows[0]],
  right_elbow: [-0.25, elbows[1]],
  left_wrist: [0.25, wrists[0]],
  right_wrist: [-0.25, wrists[1]],
  left_hip: [0.1, 0],
  right_hip: [-0.1, 0],
  left_knee: [0.1, 0.9],
  right_knee: [-0.1, 0.9],
  left_ankle: [0.1, 1.8],
  right_ankle: [-0.1, 1.8],
});

describe('pose similarity, bone by bone', () => {
  const handsUp = standing([-1.5, -1.5], [-2, -2]);
  it('is 1 for the same pose, at any place and size (the vectors are normalised), and low for arms down', () => {
    expect(poseSimilarity(handsUp, handsUp)).toBeCloseTo(1);
    const armsDown = standing([-0.5, -0.5], [0, 0]);
    // four arm bones pointing the other way (−1 each), four leg bones and the torso alike (+1): 1/9
    expect(poseSimilarity(armsDown, handsUp)).toBeCloseTo(1 / 9, 2);
  });

  it('a person clapping (upper arms down, forearms up) stays under the default threshold of hands up', () => {
    const clapping = standing([-0.4, -0.4], [-0.9, -0.9]);
    // upper arms −1 each, forearms +1 each, legs and torso +1: 5/9
    expect(poseSimilarity(clapping, handsUp)).toBeCloseTo(5 / 9, 2);
    expect(poseSimilarity(clapping, handsUp)).toBeLessThan(analyzersSchema.parse({}).pose.match_threshold);
  });

  it('compares only the bones seen in both, and nothing with fewer than four', () => {
    const { left_knee, right_knee, left_ankle, right_ankle, ...top } = handsUp;
    expect(poseSimilarity(top, handsUp)).toBeCloseTo(1); // four arm bones and the torso
    const { left_elbow, right_elbow, ...little } = top;
    expect(poseSimilarity(little, handsUp)).toBe(0); // the torso alone
  });
});
