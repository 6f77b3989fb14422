import sharp from 'sharp';
import { drawLine, fillCircle, fillRect, paintMask, parseColour, type Rgb, strokeRect } from '../vision/draw.js';
import type { RgbImage } from '../vision/image.js';
import type { Detection, SceneKeypoint } from './analyzed-frame.js';
import { CaptionMasks } from './caption-masks.js';
import type { EventBox } from './event.js';

export interface RenderedSnapshot {
  /** The whole frame with boxes, labels, scores, names and skeletons drawn on it. */
  annotated: Buffer;
  /** The event's object cut out with a margin, nothing drawn on it. */
  crop: Buffer;
}

/** A box's colour by event kind: the analyzers' (EventKinds.colour); one colour without it. */
export type ColourOf = (kind: string) => string;
const ONE_COLOUR: ColourOf = () => '#2ecc40';

/** Bones drawn between named keypoints; names shared by BlazePose and MoveNet. */
const BONES: Array<[string, string]> = [
  ['left_shoulder', 'right_shoulder'],
  ['left_hip', 'right_hip'],
  ['left_shoulder', 'left_hip'],
  ['right_shoulder', 'right_hip'],
  ['left_shoulder', 'left_elbow'],
  ['left_elbow', 'left_wrist'],
  ['right_shoulder', 'right_elbow'],
  ['right_elbow', 'right_wrist'],
  ['left_hip', 'left_knee'],
  ['left_knee', 'left_ankle'],
  ['right_hip', 'right_knee'],
  ['right_knee', 'right_ankle'],
  ['nose', 'left_eye'],
  ['nose', 'right_eye'],
  ['left_eye', 'left_ear'],
  ['right_eye', 'right_ear'],
];
const MIN_KEYPOINT_SCORE = 0.3;
const CROP_MARGIN = 0.15;
const JPEG_QUALITY = 85;
const BLACK: Rgb = [0, 0, 0];

/** "knife 87%", or "face alice 91%" when the face was recognised. */
export function captionOf(d: Detection): string {
  const who = d.sub_label ? ` ${d.sub_label}` : '';
  return `${d.label}${who} ${Math.round(d.score * 100)}%`;
}

function drawSkeleton(img: RgbImage, points: readonly SceneKeypoint[], colour: Rgb, stroke: number): void {
  const byName = new Map(points.filter((p) => p.score >= MIN_KEYPOINT_SCORE).map((p) => [p.name, p]));
  for (const [a, b] of BONES) {
    const p = byName.get(a);
    const q = byName.get(b);
    if (p && q) drawLine(img, p.x, p.y, q.x, q.y, stroke, colour);
  }
  for (const p of byName.values()) fillCircle(img, p.x, p.y, stroke * 1.2, colour);
}

/**
 * Draws over a frame, in place: boxes and skeletons first, then captions on top, each moved down
 * past captions already placed so overlapping objects (a person and its pose) stay readable.
 */
export async function drawOverlay(img: RgbImage, detections: readonly Detection[], captions: CaptionMasks, focus?: EventBox, colourOf: ColourOf = ONE_COLOUR): Promise<void> {
  const base = Math.max(2, Math.round(Math.min(img.width, img.height) / 180));
  const font = Math.max(12, Math.round(Math.min(img.width, img.height) / 24));
  const rowH = font + 4;
  const texts = await Promise.all(detections.map((d) => captions.mask(captionOf(d), font)));
  const colours = detections.map((d) => parseColour(colourOf(d.kind)));
  detections.forEach((d, i) => {
    const [x1, y1, x2, y2] = d.box;
    const stroke = focus?.every((v, k) => v === d.box[k]) ? base * 2 : base;
    strokeRect(img, x1, y1, x2, y2, stroke, colours[i]);
    const keypoints = d.keypoints ?? (Array.isArray(d.attributes?.keypoints) ? (d.attributes.keypoints as SceneKeypoint[]) : undefined);
    if (keypoints) drawSkeleton(img, keypoints, colours[i], base);
  });
  const placed: Array<[number, number, number]> = [];
  detections.forEach((d, i) => {
    const [x1, y1] = d.box;
    const pad = Math.round(font * 0.3);
    const w = texts[i].width + 2 * pad;
    let y = y1 - rowH >= 0 ? y1 - rowH : y1;
    while (placed.some(([px, py, pw]) => Math.abs(py - y) < rowH && x1 < px + pw && px < x1 + w)) y += rowH;
    placed.push([x1, y, w]);
    fillRect(img, x1, y, x1 + w, y + rowH, colours[i]);
    paintMask(img, texts[i], x1 + pad, y, BLACK);
  });
}

/** The box grown by a margin and clamped to the frame, in whole pixels; at least 1×1. */
export function cropRegion(box: EventBox, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const mx = (box[2] - box[0]) * CROP_MARGIN;
  const my = (box[3] - box[1]) * CROP_MARGIN;
  const left = Math.min(width - 1, Math.max(0, Math.floor(box[0] - mx)));
  const top = Math.min(height - 1, Math.max(0, Math.floor(box[1] - my)));
  const right = Math.min(width, Math.max(left + 1, Math.ceil(box[2] + mx)));
  const bottom = Math.min(height, Math.max(top + 1, Math.ceil(box[3] + my)));
  return { left, top, width: right - left, height: bottom - top };
}

/** Renders events' snapshots; keeps their captions rendered between snapshots (CaptionMasks). */
export class SnapshotRenderer {
  private readonly captions = new CaptionMasks();

  constructor(private readonly colourOf?: ColourOf) {}

  /** The annotated frame and the clean crop of `focus`, as JPEG; the frame itself is not drawn on. */
  async render(image: RgbImage, detections: readonly Detection[], focus: EventBox): Promise<RenderedSnapshot> {
    const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
    const crop = sharp(image.data, raw)
      .extract(cropRegion(focus, image.width, image.height))
      .jpeg({ quality: JPEG_QUALITY })
      .toBuffer();
    const drawn = { width: image.width, height: image.height, data: Buffer.from(image.data) };
    const annotated = drawOverlay(drawn, detections, this.captions, focus, this.colourOf).then(() => sharp(drawn.data, raw).jpeg({ quality: JPEG_QUALITY }).toBuffer());
    const [a, c] = await Promise.all([annotated, crop]);
    return { annotated: a, crop: c };
  }
}
