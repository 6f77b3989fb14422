import type { Point } from '../../vision/affine.js';

/**
 * How far a face is turned left or right, in degrees (0 frontal, 90 profile), estimated from
 * BlazeFace's landmarks: where the nose tip sits between the eyes. A head is roughly a cylinder,
 * so the nose's offset from the eyes' midpoint, over half the eye distance, is about sin(yaw).
 * Coarse (BlazeFace places the eyes of a profile face badly), but enough to keep a face turned
 * away from being named: its embedding scores strangers as high as its own person.
 */
export function yawOf(landmarks: readonly Point[]): number {
  const [right, left, nose] = landmarks;
  if (!right || !left || !nose) return 0;
  const half = (left[0] - right[0]) / 2;
  if (Math.abs(half) < 1e-6) return 90;
  const offset = (nose[0] - (left[0] + right[0]) / 2) / half;
  return (Math.asin(Math.max(-1, Math.min(1, Math.abs(offset)))) * 180) / Math.PI;
}
