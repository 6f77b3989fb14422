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
