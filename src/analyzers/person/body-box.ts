import type { Keypoint } from '../../models/detection.js';
import { clipBox, type Box } from '../../vision/iou.js';
import type { PersonBox } from './from-faces.js';

export interface BodyBoxOptions {
  /** A keypoint counts as seen at or above this (analyzers.pose.min_keypoint_score). */
  minScore: number;
  width: number;
  height: number;
}

const HEAD = new Set(['nose', 'left_eye', 'right_eye']);

/**
 * A person a face gave has a box extrapolated from that face; once a pose is found whose head (the
 * seen nose and eyes) is that face, the body's own box replaces it. A pose's head is the face it lies
 * on (the face box or a quarter face width around it: in a crowd the pose model's head and the face
 * detector's box disagree by about that much, group-1.jpg's eyes 6 px above a face box), the nearest
 * of every person's face where two are near; a pose on nobody's face changes nothing.
 */
export function withBodyBoxes(persons: readonly PersonBox[], poses: readonly { keypoints: readonly Keypoint[] }[], opts: BodyBoxOptions): PersonBox[] {
  const bodies = bodiesOfFaces(persons, poses, opts.minScore);
  return persons.map((person, i) => {
    const body = bodies.get(i);
    return body !== undefined && person.face ? { ...person, box: bodyBox(poses[body].keypoints, person.face, opts), from: 'body' } : person;
  });
}

/** Which pose is the body of each person a face gave: person index → pose index. */
export function bodiesOfFaces(persons: readonly PersonBox[], poses: readonly { keypoints: readonly Keypoint[] }[], minScore: number): Map<number, number> {
  const bodies = new Map<number, number>();
  for (const [p, { keypoints }] of poses.entries()) {
    const head = headOf(keypoints, minScore);
    if (!head) continue;
    let owner = -1;
    let nearest = Number.POSITIVE_INFINITY;
    for (const [i, { face }] of persons.entries()) {
      const d = face ? faceDistance(head, face) : null;
      if (d !== null && d < nearest) [owner, nearest] = [i, d];
    }
    if (owner >= 0 && persons[owner].from === 'face' && !bodies.has(owner)) bodies.set(owner, p);
  }
  return bodies;
}

/** The mean of the seen nose and eyes; null when none is seen. */
function headOf(keypoints: readonly Keypoint[], minScore: number): [number, number] | null {
  const head = keypoints.filter((k) => HEAD.has(k.name) && k.score >= minScore);
  if (head.length === 0) return null;
  return [head.reduce((s, k) => s + k.x, 0) / head.length, head.reduce((s, k) => s + k.y, 0) / head.length];
}

/** How far a head is from a face's centre, in face widths; null when it lies off the face (beyond a quarter face width around its box). */
function faceDistance([x, y]: [number, number], face: Box): number | null {
  const w = face[2] - face[0];
  const m = w / 4;
  if (x < face[0] - m || x > face[2] + m || y < face[1] - m || y > face[3] + m) return null;
  return Math.hypot(x - (face[0] + face[2]) / 2, y - (face[1] + face[3]) / 2) / w;
}

/**
 * The seen keypoints and the face, a quarter face width around (the keypoints are joints and the
 * eyes: hair, hands and shoulders' edges lie beyond them), clipped to the frame.
 */
export function bodyBox(keypoints: readonly Keypoint[], face: Box, opts: BodyBoxOptions): Box {
  const seen = keypoints.filter((k) => k.score >= opts.minScore);
  const xs = [face[0], face[2], ...seen.map((k) => k.x)];
  const ys = [face[1], face[3], ...seen.map((k) => k.y)];
  const pad = (face[2] - face[0]) / 4;
  return clipBox([Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad], opts.width, opts.height);
}
