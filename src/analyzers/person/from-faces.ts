import type { FaceDetection, ObjectDetection } from '../../models/detection.js';
import { clipBox, type Box } from '../../vision/iou.js';

/** A person as the frame's analyzers see them: an object-detector box, or one a face gave. */
export interface PersonBox extends ObjectDetection {
  /**
   * `objects`: the object detector's box; `face`: a face it had no box for, the body extrapolated
   * below it; `body`: such a face, boxed by the body its pose found (person/body-box.ts).
   */
  from: 'objects' | 'face' | 'body';
  /** The face that is this person's head, where one was found (always for `face` and `body`: the face that gave them). */
  face?: Box;
}

export interface PersonsFromFacesOptions {
  /** Object-detector persons at or above this need no face (analyzers.person.min_score). */
  minScore: number;
  width: number;
  height: number;
}

/** Body proportions from a face box: shoulders about three face widths across, a standing body about seven face heights below the brow. */
const BODY_WIDTH = 3;
const BODY_HEIGHT = 7.5;

/**
 * Persons in a crowd, where the object detector boxes only some of them: each face is given the
 * person box whose head it is (the face in the box's top part, nearest the top centre; one face
 * per box). A box the detector was unsure of (under `minScore`) counts once a face confirms it;
 * a face no box claims gives a person of its own, extrapolated from the face.
 */
export function personsWithFaces(objects: readonly ObjectDetection[], faces: readonly FaceDetection[], opts: PersonsFromFacesOptions): PersonBox[] {
  const boxes = objects.filter((o) => o.label === 'person');
  const pairs: Array<{ face: number; box: number; distance: number }> = [];
  for (const [f, face] of faces.entries()) {
    for (const [b, { box }] of boxes.entries()) {
      const distance = headDistance(box, face.box);
      if (distance !== null) pairs.push({ face: f, box: b, distance });
    }
  }
  const faceOf = new Map<number, number>();
  const boxOf = new Map<number, number>();
  for (const p of pairs.sort((a, b) => a.distance - b.distance)) {
    if (faceOf.has(p.box) || boxOf.has(p.face)) continue;
    faceOf.set(p.box, p.face);
    boxOf.set(p.face, p.box);
  }
  const persons: PersonBox[] = [];
  for (const [b, o] of boxes.entries()) {
    const f = faceOf.get(b);
    if (f !== undefined) persons.push({ label: 'person', score: o.score, box: o.box, from: 'objects', face: faces[f].box });
    else if (o.score >= opts.minScore && !faces.some((face) => partBelow(o.box, face.box))) persons.push({ label: 'person', score: o.score, box: o.box, from: 'objects' });
  }
  for (const [f, face] of faces.entries()) {
    if (!boxOf.has(f)) persons.push({ label: 'person', score: face.score, box: bodyBelow(face.box, opts.width, opts.height), from: 'face', face: face.box });
  }
  return persons.sort((a, b) => b.score - a.score);
}

/**
 * How far a face is from where a person box's head would be, in face widths; null when the face
 * is not this box's head (its centre outside the box or in its lower half, or the face far wider than the box).
 * Not the top third only: a body cut by the frame's bottom edge has its head lower in its box, and
 * a head and shoulders seen over something (the Hamilton clip's first seconds) fill theirs.
 */
function headDistance(person: Box, face: Box): number | null {
  const fw = face[2] - face[0];
  const [cx, cy] = [(face[0] + face[2]) / 2, (face[1] + face[3]) / 2];
  const [pw, ph] = [person[2] - person[0], person[3] - person[1]];
  if (fw > 1.5 * pw || cx < person[0] || cx > person[2] || cy < person[1] - fw || cy > person[1] + Math.max(0.45 * ph, 1.5 * fw)) return null;
  // the head of an upright body: centred, half a face below the box's top
  return Math.hypot(cx - (person[0] + person[2]) / 2, cy - (person[1] + fw / 2)) / fw;
}

/**
 * Whether a faceless person box is a part of the body under a face (a torso, a tie, an arm): no
 * wider than the face, below it (its top within two face heights of the face's bottom), the face's
 * centre over it. A whole person narrower than a head nearby would be a far smaller one standing
 * right under it. CenterNet at the frame's aspect (`models.objects.input: frame`) boxes Biden's
 * shirt front in `two_people.jpg` so, at 0.71, beside the body his face gives.
 */
function partBelow(box: Box, face: Box): boolean {
  const [fw, fh] = [face[2] - face[0], face[3] - face[1]];
  const cx = (face[0] + face[2]) / 2;
  return box[2] - box[0] <= fw && cx >= box[0] && cx <= box[2] && box[1] >= face[3] - 0.5 * fh && box[1] <= face[3] + 2 * fh;
}

/** A body extrapolated from its face, clipped to the frame. */
export function bodyBelow(face: Box, width: number, height: number): Box {
  const [fw, fh] = [face[2] - face[0], face[3] - face[1]];
  const cx = (face[0] + face[2]) / 2;
  return clipBox([cx - (BODY_WIDTH * fw) / 2, face[1] - 0.5 * fh, cx + (BODY_WIDTH * fw) / 2, face[1] + BODY_HEIGHT * fh], width, height);
}
