import sharp from 'sharp';
import type { RgbImage } from '../vision/image.js';
import type { Detection, SceneKeypoint } from './analyzed-frame.js';
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

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "knife 87%", or "face alice 91%" when the face was recognised. */
export function captionOf(d: Detection): string {
  const who = d.sub_label ? ` ${d.sub_label}` : '';
  return `${d.label}${who} ${Math.round(d.score * 100)}%`;
}

function skeletonSvg(points: readonly SceneKeypoint[], colour: string, stroke: number): string {
  const byName = new Map(points.filter((p) => p.score >= MIN_KEYPOINT_SCORE).map((p) => [p.name, p]));
  const lines = BONES.flatMap(([a, b]) => {
    const p = byName.get(a);
    const q = byName.get(b);
    return p && q ? [`<line x1="${p.x}" y1="${p.y}" x2="${q.x}" y2="${q.y}" stroke="${colour}" stroke-width="${stroke}" stroke-linecap="round"/>`] : [];
  });
  const dots = [...byName.values()].map((p) => `<circle cx="${p.x}" cy="${p.y}" r="${stroke * 1.2}" fill="${colour}"/>`);
  return lines.join('') + dots.join('');
}

/**
 * The SVG drawn over a frame: boxes and skeletons first, then captions on top, each moved down
 * past captions already placed so overlapping objects (a person and its pose) stay readable.
 */
export function overlaySvg(width: number, height: number, detections: readonly Detection[], focus?: EventBox, colourOf: ColourOf = ONE_COLOUR): string {
  const base = Math.max(2, Math.round(Math.min(width, height) / 180));
  const font = Math.max(12, Math.round(Math.min(width, height) / 24));
  const rowH = font + 4;
  const shapes: string[] = [];
  const captions: string[] = [];
  const placed: Array<[number, number, number]> = [];
  for (const d of detections) {
    const colour = colourOf(d.kind);
    const [x1, y1, x2, y2] = d.box;
    const stroke = focus?.every((v, i) => v === d.box[i]) ? base * 2 : base;
    shapes.push(`<rect x="${x1}" y="${y1}" width="${Math.max(0, x2 - x1)}" height="${Math.max(0, y2 - y1)}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>`);
    const keypoints = d.keypoints ?? (Array.isArray(d.attributes?.keypoints) ? (d.attributes.keypoints as SceneKeypoint[]) : undefined);
    if (keypoints) shapes.push(skeletonSvg(keypoints, colour, base));
    const caption = escapeXml(captionOf(d));
    const w = Math.round(caption.length * font * 0.6 + font * 0.6);
    let y = y1 - rowH >= 0 ? y1 - rowH : y1;
    while (placed.some(([px, py, pw]) => Math.abs(py - y) < rowH && x1 < px + pw && px < x1 + w)) y += rowH;
    placed.push([x1, y, w]);
    captions.push(
      `<rect x="${x1}" y="${y}" width="${w}" height="${rowH}" fill="${colour}"/>` +
        `<text x="${x1 + font * 0.3}" y="${y + font}" font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="#000">${caption}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}${captions.join('')}</svg>`;
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

/** Renders an event's annotated snapshot and clean crop from an RGB frame. */
export async function renderSnapshot(image: RgbImage, detections: readonly Detection[], focus: EventBox, colourOf?: ColourOf): Promise<RenderedSnapshot> {
  const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
  const svg = Buffer.from(overlaySvg(image.width, image.height, detections, focus, colourOf));
  const [annotated, crop] = await Promise.all([
    sharp(image.data, raw)
      .composite([{ input: svg, top: 0, left: 0 }])
      .jpeg({ quality: JPEG_QUALITY })
      .toBuffer(),
    sharp(image.data, raw)
      .extract(cropRegion(focus, image.width, image.height))
      .jpeg({ quality: JPEG_QUALITY })
      .toBuffer(),
  ]);
  return { annotated, crop };
}
