import type { Detection } from '../../events/analyzed-frame.js';
import type { Keypoint, ObjectDetection } from '../../models/detection.js';
import { boxArea, type Box } from '../../vision/iou.js';
import { weaponThreshold, type WeaponConfig } from './config.js';

/** A person in the frame, with the pose keypoints when they were looked for. */
export interface WeaponPerson {
  box: Box;
  keypoints?: readonly Keypoint[];
}

/** What the caption and `sub_label` say of a person holding a weapon. */
export const ARMED_PERSON = 'armed person';
const WRISTS = new Set(['left_wrist', 'right_wrist']);
const MIN_WRIST_SCORE = 0.3;

type FrameSeen = 'none' | 'held' | 'alone';

/** A weapon object with its score in this frame (`WeaponAnalyzer.scored`). */
export interface ScoredWeapon {
  o: ObjectDetection;
  /** The detector's score, raised by `wrist_boost` when `holder` is set. */
  score: number;
  /** The person holding it (wrist), else the nearest person box; null with nobody in the frame. */
  personBox: Box | null;
  holder: { person: WeaponPerson; wrist: string } | null;
}

/**
 * Weapons on one camera. A single frame with a knife-like blob is common (a phone, a remote);
 * a weapon is reported only once it was seen in `confirm_hits` of the last `confirm_frames`
 * analyzed frames, and from then on in every frame that shows it. A weapon at a person's
 * wrist scores higher and names that person; one far from anybody (a picture, a toy on a shelf)
 * needs `alone_confirm_hits` of `alone_confirm_frames`.
 */
export class WeaponAnalyzer {
  private readonly history: FrameSeen[] = [];
  private readonly labels: Set<string>;

  constructor(private readonly config: WeaponConfig) {
    this.labels = new Set(config.labels);
  }

  threshold(label: string): number {
    return weaponThreshold(this.config, label);
  }

  /**
   * Weapon labels with a box of `min_area` that could reach their label's threshold: at it, or,
   * when the pose check is on, at the score a wrist would raise to it.
   */
  candidates(objects: readonly ObjectDetection[]): ObjectDetection[] {
    const b = this.config.wrist_boost;
    return objects.filter((o) => {
      if (!this.labels.has(o.label) || boxArea(o.box) < this.config.min_area) return false;
      const t = this.threshold(o.label);
      return o.score >= (b > 0 && b < 1 ? Math.max(0, (t - b) / (1 - b)) : t);
    });
  }

  /** Candidates near a person box: where a pose is worth looking for (the pose is only run for these). */
  needsPose(candidates: readonly ObjectDetection[], persons: readonly Box[]): Box[] {
    if (this.config.wrist_boost <= 0) return [];
    const near = new Set<Box>();
    for (const c of candidates) {
      const p = nearestBox(c.box, persons);
      if (p && gap(c.box, p) <= reach(c.box, p, this.config.wrist_distance)) near.add(p);
    }
    return [...near];
  }

  /** Call once per analyzed frame, with or without objects: frames without a weapon count too. */
  analyze(objects: readonly ObjectDetection[], persons: readonly WeaponPerson[]): Detection[] {
    const found = this.scored(this.candidates(objects), persons).filter((f) => f.score >= this.threshold(f.o.label));
    const held = found.some((f) => f.holder || (f.personBox && gap(f.o.box, f.personBox) === 0));
    this.history.push(found.length === 0 ? 'none' : held ? 'held' : 'alone');
    const window = Math.max(this.config.confirm_frames, this.config.alone_confirm_frames);
    if (this.history.length > window) this.history.shift();
    if (found.length === 0) return [];
    const [hitsNeeded, frames] = held ? [this.config.confirm_hits, this.config.confirm_frames] : [this.config.alone_confirm_hits, this.config.alone_confirm_frames];
    const recent = this.history.slice(-frames);
    const hits = recent.filter((s) => s !== 'none').length;
    if (hits < hitsNeeded) return [];
    return found.map(({ o, score, personBox, holder }) => ({
      kind: 'weapon',
      label: o.label,
      score,
      box: o.box,
      sub_label: holder ? ARMED_PERSON : null,
      attributes: {
        person_box: personBox,
        armed_person: holder !== null,
        wrist: holder?.wrist ?? null,
        detector_score: o.score,
        hits,
        frames: recent.length,
      },
    }));
  }

  /**
   * Each weapon object (its label watched, its box of `min_area`) as this frame scores it: raised
   * where a person's wrist is within reach, with that person; no history (`argus analyze` asks this of one photo).
   */
  scored(objects: readonly ObjectDetection[], persons: readonly WeaponPerson[]): ScoredWeapon[] {
    const boxes = persons.map((p) => p.box);
    return objects
      .filter((o) => this.labels.has(o.label) && boxArea(o.box) >= this.config.min_area)
      .map((o) => {
        const holder = this.wristOf(o.box, persons);
        const score = holder ? o.score + (1 - o.score) * this.config.wrist_boost : o.score;
        return { o, score, personBox: holder?.person.box ?? nearestBox(o.box, boxes), holder };
      });
  }

  /** The person whose wrist keypoint is within reach of the weapon box, nearest first. */
  private wristOf(box: Box, persons: readonly WeaponPerson[]): { person: WeaponPerson; wrist: string } | null {
    if (this.config.wrist_boost <= 0) return null;
    let best: { person: WeaponPerson; wrist: string } | null = null;
    let bestDistance = Infinity;
    for (const person of persons) {
      const limit = reach(box, person.box, this.config.wrist_distance);
      for (const k of person.keypoints ?? []) {
        if (!WRISTS.has(k.name) || k.score < MIN_WRIST_SCORE) continue;
        const d = pointGap(box, k.x, k.y);
        if (d <= limit && d < bestDistance) [best, bestDistance] = [{ person, wrist: k.name }, d];
      }
    }
    return best;
  }

  /** Forget the history (the analyzer was switched off by its schedule). */
  reset(): void {
    this.history.length = 0;
  }
}

/** How far from a weapon box a wrist (or person box) may be: a share of the weapon's longer side plus a tenth of the person's height. */
function reach(weapon: Box, person: Box, share: number): number {
  return share * Math.max(weapon[2] - weapon[0], weapon[3] - weapon[1]) + 0.1 * (person[3] - person[1]);
}

function pointGap(b: Box, x: number, y: number): number {
  return Math.hypot(Math.max(0, b[0] - x, x - b[2]), Math.max(0, b[1] - y, y - b[3]));
}

function gap(a: Box, b: Box): number {
  return Math.hypot(Math.max(0, b[0] - a[2], a[0] - b[2]), Math.max(0, b[1] - a[3], a[1] - b[3]));
}

/** The box nearest to `box`: overlapping boxes by overlap, the rest by gap; null when there are none. */
export function nearestBox(box: Box, boxes: readonly Box[]): Box | null {
  let best: Box | null = null;
  let bestCost = Infinity;
  for (const b of boxes) {
    const g = gap(box, b);
    // inside or touching: prefer the box that holds more of the weapon
    const w = Math.min(box[2], b[2]) - Math.max(box[0], b[0]);
    const h = Math.min(box[3], b[3]) - Math.max(box[1], b[1]);
    const overlap = w > 0 && h > 0 ? (w * h) / Math.max(1e-9, boxArea(box)) : 0;
    const cost = g > 0 ? g : -overlap;
    if (cost < bestCost) {
      bestCost = cost;
      best = b;
    }
  }
  return best;
}
