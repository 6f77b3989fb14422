import { iou, type Box } from '../vision/iou.js';

export interface ScoredBox {
  image: number;
  cls: number;
  score: number;
  box: Box;
}

export interface TruthBox {
  image: number;
  cls: number;
  box: Box;
}

export interface ClassCurve {
  /** Area under the interpolated precision–recall curve (VOC, every point), IoU ≥ `iouThreshold`. */
  ap: number;
  boxes: number;
  /** Precision and recall over detections at or above each score, in falling score order. */
  points: { score: number; precision: number; recall: number }[];
}

/** Greedy matching by falling score: a detection is right when it overlaps an unmatched truth of its class. */
export function averagePrecision(dets: ScoredBox[], truth: TruthBox[], cls: number, iouThreshold = 0.5): ClassCurve {
  const gts = truth.filter((t) => t.cls === cls);
  const byImage = new Map<number, { box: Box; used: boolean }[]>();
  for (const g of gts) {
    const list = byImage.get(g.image) ?? [];
    list.push({ box: g.box, used: false });
    byImage.set(g.image, list);
  }
  const mine = dets.filter((d) => d.cls === cls).sort((a, b) => b.score - a.score);
  let tp = 0;
  let fp = 0;
  const points: ClassCurve['points'] = [];
  for (const d of mine) {
    let best = -1;
    let bestIou = iouThreshold;
    const cands = byImage.get(d.image) ?? [];
    for (let k = 0; k < cands.length; k++) {
      const o = iou(d.box, cands[k].box);
      if (!cands[k].used && o >= bestIou) {
        best = k;
        bestIou = o;
      }
    }
    if (best >= 0) {
      cands[best].used = true;
      tp++;
    } else fp++;
    points.push({ score: d.score, precision: tp / (tp + fp), recall: gts.length ? tp / gts.length : 0 });
  }
  let ap = 0;
  let prevRecall = 0;
  // interpolated precision: the best precision at this recall or beyond
  const best = new Float64Array(points.length + 1);
  for (let i = points.length - 1; i >= 0; i--) best[i] = Math.max(best[i + 1], points[i].precision);
  for (let i = 0; i < points.length; i++) {
    ap += (points[i].recall - prevRecall) * best[i];
    prevRecall = points[i].recall;
  }
  return { ap, boxes: gts.length, points };
}

/** Precision and recall of the detections scoring at least `threshold`. */
export function atThreshold(curve: ClassCurve, threshold: number): { precision: number; recall: number } {
  let last = { precision: 1, recall: 0 };
  for (const p of curve.points) {
    if (p.score < threshold) break;
    last = { precision: p.precision, recall: p.recall };
  }
  return last;
}

/**
 * The score that keeps precision at least `minPrecision` with the most recall, and of those the
 * highest: going lower for the same recall only lets in false alarms (it took a wrong detection
 * past full recall, 0.91 precision where 1.0 had the same recall).
 */
export function thresholdForPrecision(curve: ClassCurve, minPrecision: number): number {
  let best = curve.points.length ? curve.points[0].score : 0.5;
  let recall = -1;
  for (const p of curve.points) {
    if (p.precision >= minPrecision && p.recall > recall) {
      best = p.score;
      recall = p.recall;
    }
  }
  return best;
}
