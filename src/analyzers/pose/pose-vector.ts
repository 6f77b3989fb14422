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

/** The bones whose directions say a pose: upper arms, forearms, thighs, shins, and the torso. */
const BONES: ReadonlyArray<readonly [string, string]> = [
  ['left_shoulder', 'left_elbow'],
  ['left_elbow', 'left_wrist'],
  ['right_shoulder', 'right_elbow'],
  ['right_elbow', 'right_wrist'],
  ['left_hip', 'left_knee'],
  ['left_knee', 'left_ankle'],
  ['right_hip', 'right_knee'],
  ['right_knee', 'right_ankle'],
  ['hips', 'shoulders'],
];

function joint(v: PoseVector, name: string): [number, number] | undefined {
  if (name === 'hips') return [0, 0]; // the vector's origin
  if (name !== 'shoulders') return v[name];
  const l = v.left_shoulder;
  const r = v.right_shoulder;
  return l && r ? [(l[0] + r[0]) / 2, (l[1] + r[1]) / 2] : undefined;
}

/** Bones whose both ends are seen: what a pose can be compared on. */
export function boneCount(v: PoseVector): number {
  return BONES.filter(([from, to]) => joint(v, from) && joint(v, to)).length;
}

/** A pose is compared on at least this many bones seen in both (fewer: too little of a body). */
export const MIN_SHARED_BONES = 4;

/**
 * How alike two poses are, -1 to 1: the mean, over the bones seen in both, of the cosine between
 * their directions; 0 when they share fewer than `minShared` bones (too little of the body).
 * Bone by bone, not keypoint positions: every upright body's positions are much alike (hips,
 * knees and ankles in a column), so a saved `hands_up` scored 0.9 on people clapping; a forearm
 * pointing down where the saved one points up now costs that bone its whole share.
 */
export function poseSimilarity(a: PoseVector, b: PoseVector, minShared = MIN_SHARED_BONES): number {
  let sum = 0;
  let shared = 0;
  for (const [from, to] of BONES) {
    const a0 = joint(a, from);
    const a1 = joint(a, to);
    const b0 = joint(b, from);
    const b1 = joint(b, to);
    if (!a0 || !a1 || !b0 || !b1) continue;
    const [ax, ay, bx, by] = [a1[0] - a0[0], a1[1] - a0[1], b1[0] - b0[0], b1[1] - b0[1]];
    const norms = Math.hypot(ax, ay) * Math.hypot(bx, by);
    if (norms === 0) continue;
    sum += (ax * bx + ay * by) / norms;
    shared++;
  }
  return shared < minShared ? 0 : sum / shared;
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
