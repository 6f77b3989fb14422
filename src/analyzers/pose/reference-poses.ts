import type { Detector } from '../../models/detector.js';
import type { RgbImage } from '../../vision/image.js';
import { boxArea } from '../../vision/iou.js';
import { POSE_NAME, type PoseLibrary, type ReferencePose } from '../../store/poses.js';
import { boneCount, MIN_SHARED_BONES, normalisePose } from './pose-vector.js';
import { findPoses } from './find-poses.js';

export class PoseSaveError extends Error {
  constructor(
    readonly code: 'bad_name' | 'no_person' | 'too_little',
    message: string,
  ) {
    super(message);
    this.name = 'PoseSaveError';
  }
}

export interface SavePoseDeps {
  detector: Pick<Detector, 'detectPoses' | 'detectObjects' | 'has'>;
  library: PoseLibrary;
  /** The pose model in use (`blazepose`, `movenet`), stored with the pose. */
  model: string;
  minKeypointScore: number;
  now: () => number;
}

/**
 * Saves the pose of the most completely visible (then largest) person in a photo under `name`
 * ("hands_up"): their body
 * keypoints, normalised so a live pose anywhere in a frame, at any size, can be compared.
 */
export async function savePoseFromImage(deps: SavePoseDeps, name: string, image: RgbImage, threshold: number): Promise<ReferencePose> {
  if (!POSE_NAME.test(name)) throw new PoseSaveError('bad_name', `pose name "${name}": use a-z, 0-9 and _ (at most 64)`);
  const persons = deps.detector.has('objects') ? (await deps.detector.detectObjects(image)).filter((o) => o.label === 'person').map((o) => o.box) : [];
  const poses = (await findPoses(deps.detector, image, persons))
    .map((p) => ({ p, vector: normalisePose(p.keypoints, deps.minKeypointScore) }))
    .filter((x): x is { p: (typeof x)['p']; vector: NonNullable<(typeof x)['vector']> } => x.vector !== null)
    // the most complete body first (every keypoint a live pose can be compared on), then the largest
    .sort((a, b) => Object.keys(b.vector).length - Object.keys(a.vector).length || boxArea(b.p.box) - boxArea(a.p.box));
  const best = poses[0];
  if (!best) throw new PoseSaveError('no_person', 'no person with visible shoulders and hips was found in the photo');
  // a pose saved with fewer bones than a comparison needs would never match anyone, unsaid
  const bones = boneCount(best.vector);
  if (bones < MIN_SHARED_BONES)
    throw new PoseSaveError(
      'too_little',
      `only ${bones} of the body's 9 bones (upper arms, forearms, thighs, shins, torso) are clearly seen; a pose is compared on at least ${MIN_SHARED_BONES}: use a photo where more of the body shows`,
    );
  const pose: ReferencePose = { name, vector: best.vector, threshold, model: deps.model, created_at: deps.now() / 1000 };
  deps.library.save(pose);
  return pose;
}
