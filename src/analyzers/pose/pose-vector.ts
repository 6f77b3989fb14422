import type { Keypoint } from '../../models/detection.js';

/**
 * The body keypoints both pose models share. Face points are left out: BlazePose has eleven of
 * them around the head, and they would outweigh the limbs that tell poses apart.
 */
export const BODY_KEYPOINTS = [
  'nose',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;

/** Body keypoints centred on the hips and scaled by torso length: [x, y] by name, visible ones only. */
export type PoseVector = Record<string, [number, number]>;

function point(kps: readonly Keypoint[], name: string, minScore: number): Keypoint | null {
  const k = kps.find((p) => p.name === name);
  return k && k.score >= minScore ? k : null;
}

/**
 * Normalises a pose so where the person stands and how large they are drop out. Null when the
 * hips or shoulders are not visible (no centre or no scale).
 */
export function normalisePose(kps: readonly Keypoint[], minScore: number): PoseVector | null {
  const [ls, rs, lh, rh] = ['left_shoulder', 'right_shoulder', 'left_hip', 'right_hip'].map((n) => point(kps, n, minScore));
  if (!ls || !rs || !lh || !rh) return null;
  const hx = (lh.x + rh.x) / 2;
  const hy = (lh.y + rh.y) / 2;
  const torso = Math.hypot((ls.x + rs.x) / 2 - hx, (ls.y + rs.y) / 2 - hy);
  if (torso <= 0) return null;
  const out: PoseVector = {};
  for (const name of BODY_KEYPOINTS) {
    const k = point(kps, name, minScore);
    if (k) out[name] = [(k.x - hx) / torso, (k.y - hy) / torso];
  }
  return out;
}

/**
 * Cosine similarity over the keypoints visible in both poses; 0 when they share fewer than
 * `minShared` (too little of the body to compare).
 */
export function poseSimilarity(a: PoseVector, b: PoseVector, minShared = 6): number {
  let dot = 0,
    na = 0,
    nb = 0,
    shared = 0;
  for (const name of Object.keys(a)) {
    const q = b[name];
    if (!q) continue;
    const p = a[name];
    dot += p[0] * q[0] + p[1] * q[1];
    na += p[0] * p[0] + p[1] * p[1];
    nb += q[0] * q[0] + q[1] * q[1];
    shared++;
  }
  if (shared < minShared || na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** Degrees between the torso (hips → shoulders) and straight up; null without both. */
export function torsoAngle(kps: readonly Keypoint[], minScore: number): number | null {
  const [ls, rs, lh, rh] = ['left_shoulder', 'right_shoulder', 'left_hip', 'right_hip'].map((n) => point(kps, n, minScore));
  if (!ls || !rs || !lh || !rh) return null;
  const dx = (ls.x + rs.x - lh.x - rh.x) / 2;
  const dy = (ls.y + rs.y - lh.y - rh.y) / 2;
  return (Math.atan2(Math.abs(dx), -dy) * 180) / Math.PI;
}

/**
 * Degrees between the torso's line and the vertical, whichever way the torso points: 0 upright or
 * upside down, 90 lying. A camera mounted upside down shows every standing body at 180° from up,
 * and BlazePose's worst guesses (a body seen from behind) come out head-down: neither lies.
 */
export function torsoTilt(angleFromUp: number): number {
  return Math.min(angleFromUp, 180 - angleFromUp);
}
