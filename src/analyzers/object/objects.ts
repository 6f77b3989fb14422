import type { Detection } from '../../events/analyzed-frame.js';
import type { ObjectDetection } from '../../models/detection.js';
import { boxArea } from '../../vision/iou.js';
import type { ObjectConfig } from './config.js';

/**
 * Watched objects on one camera. One frame's box of a rare class is often a look-alike; a label
 * is reported once it was seen in `confirm_hits` of the last `confirm_frames` analyzed frames,
 * and from then on in every frame that shows it. Each label keeps its own history.
 */
export class ObjectWatch {
  private readonly history = new Map<string, boolean[]>();
  private readonly labels: Set<string>;

  constructor(private readonly config: ObjectConfig) {
    this.labels = new Set(config.labels);
  }

  threshold(label: string): number {
    return this.config.thresholds[label] ?? this.config.min_score;
  }

  /** Call once per analyzed frame, with or without objects: frames without the label count too. */
  analyze(objects: readonly ObjectDetection[]): Detection[] {
    const found = objects.filter((o) => this.labels.has(o.label) && o.score >= this.threshold(o.label) && boxArea(o.box) >= this.config.min_area);
    const out: Detection[] = [];
    for (const label of this.labels) {
      const seen = found.filter((o) => o.label === label);
      const history = this.history.get(label) ?? [];
      history.push(seen.length > 0);
      if (history.length > this.config.confirm_frames) history.shift();
      this.history.set(label, history);
      const hits = history.filter(Boolean).length;
      if (seen.length === 0 || hits < this.config.confirm_hits) continue;
      for (const o of seen) out.push({ kind: 'object', label, score: o.score, box: o.box, attributes: { hits, frames: history.length } });
    }
    return out;
  }

  /** Forget the history (the analyzer was switched off by its schedule). */
  reset(): void {
    this.history.clear();
  }
}

/** Labels of `analyzers.object.labels` that no loaded object model has (a typo, or a head not listed in `models.objects.heads`). */
export function unknownLabels(watched: readonly string[], known: readonly string[]): string[] {
  const have = new Set(known);
  return watched.filter((l) => !have.has(l));
}
