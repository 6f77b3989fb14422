import { describe, expect, it } from 'vitest';
import { joinPose, POSE_LENGTH, POSE_POINTS, poseVector } from '../../../src/analyzers/proctor/features.js';

const point = (name: string, x: number, y: number, score = 0.9) => ({ name, x, y, score });

describe('the normalised pose vector', () => {
  it('puts each keypoint relative to the centre of the confident ones, over their box’s larger side', () => {
    // nose at the top, two ankles at the bottom: a box 20 wide and 100 tall, centred on (110, 250)
    const v = poseVector([point('nose', 110, 200), point('left_ankle', 120, 300), point('right_ankle', 100, 300), point('left_wrist', 0, 0, 0.1)])!;
    expect(v).toHaveLength(POSE_LENGTH);
    const at = (name: string) => {
      const i = POSE_POINTS.indexOf(name as (typeof POSE_POINTS)[number]);
      return [v[2 * i], v[2 * i + 1]].map((x) => Math.round(x * 100) / 100);
    };
    expect(at('nose')).toEqual([0, -0.5]);
    expect(at('left_ankle')).toEqual([0.1, 0.5]);
    expect(at('right_ankle')).toEqual([-0.1, 0.5]);
    // below the score: hidden, at the centre
    expect(at('left_wrist')).toEqual([0, 0]);
  });

  it('does not depend on where the person is or how large', () => {
    const pose = [point('nose', 10, 0), point('left_hip', 20, 50), point('right_hip', 0, 50)];
    const moved = pose.map((p) => ({ ...p, x: p.x * 3 + 400, y: p.y * 3 + 90 }));
    expect([...poseVector(moved)!]).toEqual([...poseVector(pose)!]);
  });

  it('is null with fewer than 3 confident keypoints, and joins to the ratios as zeros then', () => {
    expect(poseVector([point('nose', 1, 1), point('left_hip', 5, 9)])).toBeNull();
    const ratios = Array.from({ length: 18 }, () => 0.5);
    expect(joinPose(ratios, null)).toEqual([...ratios, ...new Array(POSE_LENGTH).fill(0)]);
  });
});
