import type { ObjectDetection, PoseDetection } from '../../models/detection.js';
import { type WeaponConfig, weaponThreshold } from './config.js';
import { WeaponAnalyzer } from './weapon.js';

/** A weapon on one picture as the weapon analyzer scores it (uploads' and `argus analyze --json`'s `weapons`). */
export interface WeaponFinding {
  label: string;
  /** The detector's score, raised where a person's wrist holds it (the pose run). */
  score: number;
  detector_score: number;
  /** The object's box, as in `objects`. */
  box: number[];
  /** Held at a person's wrist: what a camera's event calls an "armed person". */
  armed_person: boolean;
  wrist: string | null;
  /** The score it alerts from (`analyzers.weapon`), and whether this one reaches it. */
  threshold: number;
  alerts: boolean;
}

/**
 * The weapons of one analysed picture against the score that raises a weapon event, each raised at
 * a person's wrist as a camera's weapon analyzer raises it (its poses are the persons). A camera
 * also needs the weapon in 2 of 3 frames (4 of 6 far from anybody), which one picture cannot say.
 */
export function photoWeapons(r: { objects: readonly ObjectDetection[]; poses: readonly PoseDetection[] }, config: WeaponConfig): WeaponFinding[] {
  const persons = r.poses.map((p) => ({ box: p.box, keypoints: p.keypoints }));
  return new WeaponAnalyzer(config).scored(r.objects, persons).map(({ o, score, holder }) => {
    const threshold = weaponThreshold(config, o.label);
    return { label: o.label, score, detector_score: o.score, box: o.box, armed_person: holder !== null, wrist: holder?.wrist ?? null, threshold, alerts: score >= threshold };
  });
}
