import { boxArea, iou, type Box } from './iou.js';

/** The share of the smaller box that lies inside the larger: 1 when one holds the other, however unlike their sizes. */
export function containment(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const smaller = Math.min(boxArea(a), boxArea(b));
  return w > 0 && h > 0 && smaller > 0 ? (w * h) / smaller : 0;
}

export interface SameThing {
  /** Overlap (IoU) above which two boxes are one thing. */
  iou: number;
  /** Share of the smaller box inside the larger above which they are one thing (a box inside a looser box of the same face). */
  containment: number;
}

/**
 * Greedy suppression by IoU or containment, best score first; returns the indices kept. Plain NMS
 * keeps a tight box that lies inside a loose one of the same object, since their IoU is low.
 */
export function suppressOverlaps(boxes: readonly Box[], scores: ArrayLike<number>, same: SameThing): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const kept: number[] = [];
  for (const i of order) if (!kept.some((k) => iou(boxes[i], boxes[k]) > same.iou || containment(boxes[i], boxes[k]) > same.containment)) kept.push(i);
  return kept;
}
