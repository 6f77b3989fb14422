import type { Point } from '../../vision/affine.js';

/** Where a head points, in degrees: yaw (0 facing the camera, sign: image right) and pitch (positive bowed). */
export interface HeadDirection {
  yaw: number;
  /** Null where the points give no pitch (a pose's ears and nose). */
  pitch: number | null;
}

const degrees = (rad: number) => (rad * 180) / Math.PI;

/*
 * A rigid-head estimate from 2-D points, no 3-D model fit. Turning by θ shrinks the eyes'
 * spacing by cos θ and moves the nose tip, which stands out of the eyes' plane, by sin θ:
 * nose offset / eye spacing = (depth / spacing) · tan θ. Typical faces put the nose tip about
 * 0.45 of the eye spacing in front of the eyes; the ears sit about 0.65 of their spacing behind
 * the nose. Bowing moves the nose tip down towards the mouth the same way; frontal, it sits
 * 0.55 of the way from the eyes to the mouth. These are anthropometric averages, not
 * calibrated on exam footage (docs/proctoring.md).
 */
const NOSE_DEPTH_OVER_EYES = 0.45;
const NOSE_DEPTH_OVER_EARS = 0.65;
const NOSE_FRONTAL_SHARE = 0.55;
const NOSE_DEPTH_OVER_EYES_TO_MOUTH = 0.45;

/** From BlazeFace's six landmarks: right eye, left eye, nose tip, mouth, right ear, left ear. */
export function headFromFace(landmarks: readonly Point[]): HeadDirection | null {
  if (landmarks.length < 4) return null;
  const [a, b, nose, mouth] = landmarks;
  const eyes = { x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2 };
  const spacing = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (spacing <= 0) return null;
  const yaw = degrees(Math.atan((nose[0] - eyes.x) / spacing / NOSE_DEPTH_OVER_EYES));
  const eyesToMouth = mouth[1] - eyes.y;
  const pitch = eyesToMouth > 0 ? degrees(Math.atan(((nose[1] - eyes.y) / eyesToMouth - NOSE_FRONTAL_SHARE) / NOSE_DEPTH_OVER_EYES_TO_MOUTH)) : null;
  return { yaw, pitch };
}

export interface NamedPoint {
  name: string;
  x: number;
  y: number;
  score: number;
}

/**
 * From a pose's nose and ears (BlazePose and MoveNet name them alike). With one ear hidden the
 * head is turned far enough to show a profile: ±90° towards the visible side's opposite.
 */
export function headFromPose(keypoints: readonly NamedPoint[], minScore: number): HeadDirection | null {
  const at = (name: string) => keypoints.find((k) => k.name === name && k.score >= minScore);
  const nose = at('nose');
  const left = at('left_ear');
  const right = at('right_ear');
  if (!nose || (!left && !right)) return null;
  if (!left || !right) {
    const ear = (left ?? right)!;
    return { yaw: nose.x < ear.x ? -90 : 90, pitch: null };
  }
  const spacing = Math.abs(left.x - right.x);
  if (spacing <= 0) return null;
  const offset = nose.x - (left.x + right.x) / 2;
  return { yaw: degrees(Math.atan(offset / spacing / NOSE_DEPTH_OVER_EARS)), pitch: null };
}
