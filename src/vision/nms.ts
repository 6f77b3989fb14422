import { iou, type Box } from './iou.js';

export interface NmsOptions {
  iouThreshold: number;
  /** Keep at most this many (after suppression). */
  maxDetections?: number;
  /** When given, only boxes of the same class suppress each other. */
  classes?: ArrayLike<number>;
}

/**
 * Greedy non-maximum suppression. Returns the indices kept, best score first.
 */
export function nms(boxes: readonly Box[], scores: ArrayLike<number>, opts: NmsOptions): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const max = opts.maxDetections ?? Infinity;
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= max) break;
    let keep = true;
    for (const k of kept) {
      if (opts.classes && opts.classes[k] !== opts.classes[i]) continue;
      if (iou(boxes[i], boxes[k]) > opts.iouThreshold) {
        keep = false;
        break;
      }
    }
    if (keep) kept.push(i);
  }
  return kept;
}
