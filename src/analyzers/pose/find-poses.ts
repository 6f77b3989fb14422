import type { PoseDetection } from '../../models/detection.js';
import type { Detector } from '../../models/detector.js';
import type { RgbImage } from '../../vision/image.js';
import type { Box } from '../../vision/iou.js';
import { cropImage, growBox } from '../crop.js';

export type PoseModels = Pick<Detector, 'detectPoses'>;

/**
 * Poses in frame pixels: one per person box (the box grown a little, so limbs raised above the
 * head stay in), or every pose in the whole frame when there are no person boxes.
 */
export async function findPoses(models: PoseModels, img: RgbImage, persons: readonly Box[]): Promise<PoseDetection[]> {
  if (persons.length === 0) return models.detectPoses(img);
  // All queued at once: the worker runs one person's models while this thread crops the next.
  const poses = await Promise.all(persons.map((person) => detectPoseIn(models, img, person)));
  return poses.filter((p) => p !== undefined);
}

/** The surest body the pose detector finds in a person box grown by 25 %, in frame pixels. */
export async function detectPoseIn(models: PoseModels, img: RgbImage, person: Box): Promise<PoseDetection | undefined> {
  const { image, left, top } = cropImage(img, growBox(person, 1.25, img.width, img.height));
  const best = (await models.detectPoses(image)).sort((a, b) => b.score - a.score)[0];
  if (!best) return undefined;
  return {
    score: best.score,
    box: [best.box[0] + left, best.box[1] + top, best.box[2] + left, best.box[3] + top],
    keypoints: best.keypoints.map((k) => ({ ...k, x: k.x + left, y: k.y + top })),
    ...(best.roi ? { roi: { ...best.roi, cx: best.roi.cx + left, cy: best.roi.cy + top } } : {}),
  };
}
