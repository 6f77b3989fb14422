import type { Keypoint } from '../../models/detection.js';
import { MOVENET_KEYPOINTS } from '../../models/pose-keypoints.js';
import type { Box } from '../../vision/iou.js';
import type { Mask } from './silhouette.js';

/** 9 widths then 9 heights: the reference method's 18 "pixel mapping" ratios. */
export const FEATURE_LENGTH = 18;
const LINES = 9;

/**
 * The 18 ratio features of a silhouette inside its bounding box `box` (`[x0, y0, x1, y1)`):
 * the silhouette's width at 9 evenly spaced rows and its height at 9 evenly spaced columns,
 * each divided by one reference length, the box's height, so the features do not depend on
 * how far the camera is from the seat. A line sits in the middle of each of 9 equal bands (the
 * box's own edges would always measure the one pixel that made the edge). A width is the span
 * from the first to the last silhouette pixel on the row (the paper measures the silhouette's
 * extent, not the count of its pixels); a row with none measures 0.
 */
export function ratioFeatures(mask: Mask, box: Box): Float32Array {
  const [x0, y0, x1, y1] = box;
  const w = x1 - x0;
  const h = y1 - y0;
  const out = new Float32Array(FEATURE_LENGTH);
  if (w <= 0 || h <= 0) return out;
  const { width, data } = mask;
  for (let i = 0; i < LINES; i++) {
    const y = y0 + Math.floor(((i + 0.5) * h) / LINES);
    out[i] = span(data, y * width + x0, 1, w) / h;
    const x = x0 + Math.floor(((i + 0.5) * w) / LINES);
    out[LINES + i] = span(data, y0 * width + x, width, h) / h;
  }
  return out;
}

/** Pixels from the first to the last set one along a line of `count` pixels `step` apart (0 when none is set). */
function span(data: Uint8Array, start: number, step: number, count: number): number {
  let first = -1;
  let last = -1;
  for (let j = 0; j < count; j++) {
    if (data[start + j * step]) {
      if (first < 0) first = j;
      last = j;
    }
  }
  return first < 0 ? 0 : last - first + 1;
}

/** A keypoint as both pose models give it. */
export type PosePoint = Keypoint;

/** MoveNet's 17 COCO keypoints, which BlazePose names alike: the pose vector's order. */
export const POSE_POINTS = MOVENET_KEYPOINTS;
export const POSE_LENGTH = POSE_POINTS.length * 2;

/** The classifier's vector in `ratios_pose` mode: the 18 ratios, then the pose vector (zeros where no pose was found). */
export function joinPose(ratios: ArrayLike<number>, pose: ArrayLike<number> | null): number[] {
  return [...Array.from(ratios), ...(pose ? Array.from(pose) : new Array<number>(POSE_LENGTH).fill(0))];
}

/**
 * The normalised pose vector the issue asks to join to the 18 ratios: each of the 17 keypoints'
 * x and y relative to the centre of the confident keypoints' box, over that box's larger side, so
 * it depends neither on where the person sits nor on how far the camera is. A keypoint below
 * `minScore` (hidden, or under a desk) is 0, 0: the centre. Null when fewer than 3 are confident.
 */
export function poseVector(keypoints: readonly PosePoint[], minScore = 0.3): Float32Array | null {
  const seen = POSE_POINTS.map((name) => keypoints.find((k) => k.name === name && k.score >= minScore));
  const confident = seen.filter((k): k is PosePoint => k !== undefined);
  if (confident.length < 3) return null;
  const xs = confident.map((k) => k.x);
  const ys = confident.map((k) => k.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const size = Math.max(x1 - x0, y1 - y0);
  if (size <= 0) return null;
  const out = new Float32Array(POSE_LENGTH);
  seen.forEach((k, i) => {
    if (!k) return;
    out[2 * i] = (k.x - (x0 + x1) / 2) / size;
    out[2 * i + 1] = (k.y - (y0 + y1) / 2) / size;
  });
  return out;
}
