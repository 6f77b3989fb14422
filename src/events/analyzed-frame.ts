import type { Frame } from '../sources/frame.js';
import type { EventBox } from './event.js';

/** A pose keypoint in frame pixels (names as in src/models/pose-keypoints.ts). */
export interface SceneKeypoint {
  name: string;
  x: number;
  y: number;
  score: number;
}

/**
 * One fact an analyzer found in a frame: what the tracker follows and an event reports. `kind`
 * is one of the kinds the analyzers in `src/analyzers/list.ts` declare. `attributes` by kind:
 * weapon `person_box`, `hits`, `frames`; face `similarity`, and for unknowns `embedding`
 * (Float32Array) and `crop` (a JPEG Buffer): binary, for the store, not for JSON; pose
 * `keypoints`, `pose`, `similarity`, `fallen`, `torso_angle`.
 */
export interface Detection {
  kind: string;
  label: string;
  score: number;
  box: EventBox;
  /** A recognised person's name; null or absent when unknown. */
  sub_label?: string | null;
  /**
   * Seconds the object may go unseen before its event ends, when longer than `events.end_after`:
   * a face's visit lasts `analyzers.faces.cooldown`, so a person who steps out and back is one event.
   */
  hold?: number;
  /**
   * What the analyzer knows this to be across frames, beyond its box (a stranger's visit, by face):
   * detections of one identity are one object wherever they stand, of two never one.
   */
  identity?: string;
  attributes?: Record<string, unknown>;
  /** Pose skeleton, drawn on the snapshot (`attributes.keypoints` is read too, as the pose analyzer puts it there). */
  keypoints?: SceneKeypoint[];
}

/** What the analyzers make of one motion frame, handed to the EventManager. */
export interface AnalyzedFrame {
  camera: string;
  /** The frame the detections were found in (its pixels are read for snapshots). */
  frame: Frame;
  detections: Detection[];
}
