import type { Point } from '../vision/affine.js';
import type { Box } from '../vision/iou.js';
import type { RgbImage } from '../vision/image.js';

/** All coordinates are in source-image pixels. */
export interface ObjectDetection {
  label: string;
  score: number;
  box: Box;
}

export interface FaceDetection {
  score: number;
  box: Box;
  /** Six points: right eye, left eye, nose tip, mouth, right ear, left ear (the subject's right is the image's left). */
  landmarks: Point[];
}

export interface Keypoint {
  name: string;
  x: number;
  y: number;
  score: number;
}

export interface PoseDetection {
  score: number;
  box: Box;
  keypoints: Keypoint[];
  /** Where to look for this body in the next frame (BlazePose: from its two auxiliary landmarks). */
  roi?: BodyRoi;
}

/** A rotated square around a body, in source pixels: the crop BlazePose's landmark model reads. */
export interface BodyRoi {
  /** The hip centre. */
  cx: number;
  cy: number;
  side: number;
  /** Radians, clockwise in image coordinates; 0 when the body stands upright. */
  rotation: number;
}

/** The one interface every object-detector family implements (pre-process → run → decode). */
/**
 * `all`: every class the model knows (uploads, `argus analyze`). `live`: at least the classes live
 * analysis reads (`DetectorOptions.liveLabels`); a detector may leave the others out to save time.
 */
export type DetectScope = 'all' | 'live';

export interface ObjectDetector {
  readonly name: string;
  /** Its classes, in index order. */
  readonly labels: readonly string[];
  detect(img: RgbImage, scope?: DetectScope): Promise<ObjectDetection[]>;
}

export interface FaceSearch {
  /** Also search the detector's tiles (default true). A person crop needs none: its face is never small in it. */
  tiles?: boolean;
  /**
   * Person boxes from the object detector (they may still be coming): tiles are then searched
   * only around the heads of people the whole-frame pass found no face for. Without it, or with
   * no person found, every tile is searched.
   */
  people?: PromiseLike<readonly Box[]> | readonly Box[];
  /** Check each face (landmark shape, a second look around the unsure ones); default true. */
  check?: boolean;
  /**
   * Faces a check confirmed on this camera's previous frame, moments ago: an unsure face in the
   * same place (IoU ≥ 0.5 with one) is taken without its second look. The caller passes only
   * faces that were themselves looked at, so each face is checked again every other frame.
   */
  confirmed?: readonly Box[];
}

export interface FaceDetector {
  readonly name: string;
  detect(img: RgbImage, opts?: FaceSearch): Promise<FaceDetection[]>;
}

export interface FaceEmbedder {
  readonly name: string;
  readonly dimensions: number;
  /** L2-normalised embedding of one detected face. */
  embed(img: RgbImage, face: FaceDetection): Promise<Float32Array>;
}

export interface PoseDetector {
  readonly name: string;
  /** `people`: person boxes from the object detector, when there are any, to look in. */
  detect(img: RgbImage, people?: readonly Box[]): Promise<PoseDetection[]>;
  /**
   * Landmarks only, in each of the ROIs an earlier frame's poses gave (MediaPipe's tracking): no
   * pose detector. Undefined where the landmark model finds no body there. Families without
   * ROIs (MoveNet) leave this out.
   */
  follow?(img: RgbImage, rois: readonly BodyRoi[]): Promise<(PoseDetection | undefined)[]>;
}
