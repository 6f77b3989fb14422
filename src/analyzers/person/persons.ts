import type { FaceDetection, ObjectDetection } from '../../models/detection.js';
import { boxArea } from '../../vision/iou.js';
import type { PersonConfig } from './config.js';
import { personsWithFaces, type PersonBox } from './from-faces.js';

/** The object detector's persons at or above `min_score`: people without a face's word for them. */
export function surePersons(objects: readonly ObjectDetection[], minScore: number): ObjectDetection[] {
  return objects.filter((o) => o.label === 'person' && o.score >= minScore);
}

/**
 * A frame's persons, surest first, as live analysis and `argus analyze` both count them: the object
 * detector's sure ones and, where faces were searched, those a face confirms or gives; none smaller
 * than `min_area`.
 */
export function findPersons(objects: readonly ObjectDetection[], faces: readonly FaceDetection[] | undefined, config: PersonConfig, width: number, height: number): PersonBox[] {
  const found = faces
    ? personsWithFaces(objects, faces, { minScore: config.min_score, width, height })
    : surePersons(objects, config.min_score).map((o): PersonBox => ({ label: 'person', score: o.score, box: o.box, from: 'objects' }));
  return found.filter((p) => boxArea(p.box) >= config.min_area).sort((a, b) => b.score - a.score);
}
