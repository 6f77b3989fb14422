import sharp from 'sharp';
import type { FaceDetection } from '../models/detection.js';
import type { RgbImage } from '../vision/image.js';
import { RegistryError } from './errors.js';

/** What the registry needs of the models: the Detector fits it. */
export interface FaceModels {
  detectFaces(img: RgbImage): Promise<FaceDetection[]>;
  embedFace(img: RgbImage, face: FaceDetection): Promise<Float32Array>;
}

/** A face found in a photo, as listed to a user who has to choose one. */
export interface FoundFace {
  /** Left to right, from 0: what `face` picks. */
  index: number;
  box: [number, number, number, number];
  score: number;
  /** Width of the face in pixels: a small face makes a weak sample. */
  size: number;
}

export interface PhotoFace {
  face: FoundFace;
  embedding: Float32Array;
  crop: Buffer;
}

/** Crops are stored for the UI, not for matching: small is enough. */
const CROP_SIZE = 160;
/** Margin around the detector's box, so the crop shows the whole head. */
const CROP_MARGIN = 0.25;

/** A JPEG of one face with some margin, at most CROP_SIZE on its longer side. */
export async function faceCrop(img: RgbImage, box: readonly number[]): Promise<Buffer> {
  const [x1, y1, x2, y2] = box;
  const mx = (x2 - x1) * CROP_MARGIN;
  const my = (y2 - y1) * CROP_MARGIN;
  const left = Math.max(0, Math.floor(x1 - mx));
  const top = Math.max(0, Math.floor(y1 - my));
  const width = Math.max(1, Math.min(img.width, Math.ceil(x2 + mx)) - left);
  const height = Math.max(1, Math.min(img.height, Math.ceil(y2 + my)) - top);
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(CROP_SIZE, CROP_SIZE, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** The smallest face a photo may give: what live analysis names at its default (analyzers.faces.min_face_px). */
export const MIN_ENROL_FACE_PX = 32;

/**
 * The one face of a photo to enrol. With no face, or several and no `choice`, it refuses and
 * says why; the refusal for several lists them so the user can pick one by index.
 */
/** Every face of a photo, left to right, as a user sees it listed and as the models need it. */
export async function facesOfPhoto(models: FaceModels, img: RgbImage): Promise<{ found: FoundFace; detection: FaceDetection }[]> {
  const detections = (await models.detectFaces(img)).sort((a, b) => a.box[0] - b.box[0]);
  return detections.map((detection, index) => ({
    detection,
    found: {
      index,
      box: detection.box.map((v) => Math.round(v)) as FoundFace['box'],
      score: Math.round(detection.score * 1000) / 1000,
      size: Math.round(detection.box[2] - detection.box[0]),
    },
  }));
}

export async function faceOfPhoto(models: FaceModels, img: RgbImage, choice: number | undefined, label: string): Promise<PhotoFace> {
  const all = await facesOfPhoto(models, img);
  const detections = all.map((f) => f.detection);
  const found = all.map((f) => f.found);
  if (detections.length === 0) {
    throw new RegistryError(
      'no_face',
      `no face found in ${label}: use a photo where the face is clear, frontal and at least about 40 pixels wide, with room around it (a photo cropped to the face is often missed)`,
    );
  }
  if (choice === undefined && detections.length > 1) {
    const list = found.map((f) => `${f.index}: ${f.size}px at [${f.box.join(', ')}]`).join('; ');
    throw new RegistryError('several_faces', `${label} has ${found.length} faces (${list}); pick one with face=<index> (--face <index> for argus faces add; 0 is the leftmost)`, {
      faces: found,
      // the boxes' frame: a large photo is decoded scaled down, and a client draws the faces from its own copy
      width: img.width,
      height: img.height,
    });
  }
  const index = choice ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= detections.length) {
    throw new RegistryError('no_such_face', `${label} has ${found.length} face${found.length === 1 ? '' : 's'}: face=${choice} is not one of 0…${found.length - 1}`, {
      faces: found,
    });
  }
  // Live analysis leaves faces this small unnamed (analyzers.faces.min_face_px): a sample this small names no one well.
  if (found[index].size < MIN_ENROL_FACE_PX) {
    throw new RegistryError(
      'small_face',
      `the face in ${label} is ${found[index].size} pixels wide: at least ${MIN_ENROL_FACE_PX} are needed (a closer or larger photo of them will do)`,
      { size: found[index].size },
    );
  }
  const embedding = await models.embedFace(img, detections[index]);
  return { face: found[index], embedding, crop: await faceCrop(img, detections[index].box) };
}
