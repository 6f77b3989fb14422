import type { ObjectDetection } from '../../models/detection.js';
import { boxArea, type Box } from '../../vision/iou.js';
import type { WeaponConfig } from './config.js';
import type { Detection } from '../../events/analyzed-frame.js';

/**
 * Weapons on one camera. A single frame with a knife-like blob is common (a phone, a remote);
 * a weapon is reported only once it was seen in `confirm_hits` of the last `confirm_frames`
 * analyzed frames, and from then on in every frame that shows it.
 */
export class WeaponAnalyzer {
  private readonly history: boolean[] = [];
  private readonly labels: Set<string>;

  constructor(private readonly config: WeaponConfig) {
    this.labels = new Set(config.labels);
  }

  /** Candidates in this frame: weapon labels above `min_score` and `min_area`. */
  candidates(objects: readonly ObjectDetection[]): ObjectDetection[] {
    return objects.filter((o) => this.labels.has(o.label) && o.score >= this.config.min_score && boxArea(o.box) >= this.config.min_area);
  }

  /** Call once per analyzed frame, with or without objects: frames without a weapon count too. */
  analyze(objects: readonly ObjectDetection[], persons: readonly Box[]): Detection[] {
    const found = this.candidates(objects);
    this.history.push(found.length > 0);
    if (this.history.length > this.config.confirm_frames) this.history.shift();
    const hits = this.history.filter(Boolean).length;
    if (found.length === 0 || hits < this.config.confirm_hits) return [];
    return found.map((o) => ({
      kind: 'weapon',
      label: o.label,
      score: o.score,
      box: o.box,
      attributes: { person_box: nearestBox(o.box, persons), hits, frames: this.history.length },
    }));
  }

  /** Forget the history (the analyzer was switched off by its schedule). */
  reset(): void {
    this.history.length = 0;
  }
}

/** The box nearest to `box`: overlapping boxes by overlap, the rest by gap; null when there are none. */
export function nearestBox(box: Box, boxes: readonly Box[]): Box | null {
  let best: Box | null = null;
  let bestCost = Infinity;
  for (const b of boxes) {
    const gapX = Math.max(0, b[0] - box[2], box[0] - b[2]);
    const gapY = Math.max(0, b[1] - box[3], box[1] - b[3]);
    const gap = Math.hypot(gapX, gapY);
    // inside or touching: prefer the box that holds more of the weapon
    const w = Math.min(box[2], b[2]) - Math.max(box[0], b[0]);
    const h = Math.min(box[3], b[3]) - Math.max(box[1], b[1]);
    const overlap = w > 0 && h > 0 ? (w * h) / Math.max(1e-9, boxArea(box)) : 0;
    const cost = gap > 0 ? gap : -overlap;
    if (cost < bestCost) {
      bestCost = cost;
      best = b;
    }
  }
  return best;
}
