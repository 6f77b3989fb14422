import { describe, expect, it } from 'vitest';
import { headFromFace, headFromPose } from '../../../src/analyzers/proctor/head-direction.js';
import type { Point } from '../../../src/vision/affine.js';

/** BlazeFace's order: right eye, left eye, nose, mouth, right ear, left ear. */
const face = (noseX: number, noseY: number): Point[] => [
  [40, 50],
  [60, 50],
  [noseX, noseY],
  [50, 70],
  [30, 55],
  [70, 55],
];

describe('head direction from face landmarks', () => {
  it('is frontal with the nose between the eyes, 0.55 of the way down to the mouth', () => {
    const h = headFromFace(face(50, 61))!;
    expect(h.yaw).toBeCloseTo(0);
    expect(h.pitch).toBeCloseTo(0);
  });

  it('turns with the nose towards one side and bows with it towards the mouth', () => {
    // nose offset 9 over eye spacing 20 = 0.45 = the nose depth: tan θ = 1, θ = 45°
    expect(headFromFace(face(59, 61))!.yaw).toBeCloseTo(45);
    expect(headFromFace(face(41, 61))!.yaw).toBeCloseTo(-45);
    // (0.55 + 0.45) of the way down: tan φ = 1
    expect(headFromFace(face(50, 70))!.pitch).toBeCloseTo(45);
  });
});

describe('head direction from a pose', () => {
  const kp = (name: string, x: number, y: number, score = 0.9) => ({ name, x, y, score });
  it('reads yaw from the nose between the ears', () => {
    expect(headFromPose([kp('nose', 50, 50), kp('left_ear', 60, 48), kp('right_ear', 40, 48)], 0.5)!.yaw).toBeCloseTo(0);
    // offset 13 over spacing 20 = 0.65: 45°
    expect(headFromPose([kp('nose', 63, 50), kp('left_ear', 60, 48), kp('right_ear', 40, 48)], 0.5)!.yaw).toBeCloseTo(45);
  });

  it('calls one hidden ear a profile, and gives nothing without the nose', () => {
    expect(headFromPose([kp('nose', 30, 50), kp('left_ear', 60, 48), kp('right_ear', 40, 48, 0.1)], 0.5)!.yaw).toBe(-90);
    expect(headFromPose([kp('left_ear', 60, 48), kp('right_ear', 40, 48)], 0.5)).toBeNull();
  });
});
