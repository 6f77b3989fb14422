import type { Frame } from '../sources/frame.js';

/** [x1, y1, x2, y2] in the frame's pixels (the camera's detect size). */
export type DetectionBox = [number, number, number, number];

export type DetectionKind = 'weapon' | 'person' | 'face' | 'pose';

/**
 * One fact about a frame, as the analyzers hand it to the event manager. `attributes` by kind:
 * weapon `person_box` (nearest person or null), `hits`, `frames`; face `similarity`, and for
 * unknowns `embedding` (Float32Array) and `crop` (a JPEG Buffer): binary, for the store, not for
 * JSON; pose `keypoints`, `pose` (matched reference name or null), `similarity`, `fallen`,
 * `torso_angle`.
 */
export interface Detection {
  kind: DetectionKind;
  label: string;
  score: number;
  box: DetectionBox;
  sub_label?: string | null;
  attributes?: Record<string, unknown>;
}

/** What the analyzers make of one motion frame. */
export interface AnalysedFrame {
  camera: string;
  time: number;
  frame: Frame;
  detections: Detection[];
}
