import type { ObjectDetection } from '../models/detection.js';
import type { RgbImage } from '../vision/image.js';
import { boxArea, type Box } from '../vision/iou.js';
import { nms } from '../vision/nms.js';
import type { AnalyzersConfig } from './config.js';
import { cropImage, shiftBox } from './crop.js';

type RegionOptions = AnalyzersConfig['regions'];

/** Above this share of the frame, cropping saves nothing: run on the whole frame. */
const WHOLE_FRAME_SHARE = 0.6;

/**
 * Frigate's idea: when the frame is much larger than the model's input, shrinking all of it
 * turns a far person into a few pixels. Instead, cut squares of at least the model's input
 * size around the motion and run the model on each. Null means "use the whole frame".
 */
export function motionRegions(motion: readonly Box[], width: number, height: number, opts: RegionOptions): Box[] | null {
  if (!opts.enabled || motion.length === 0 || Math.max(width, height) < opts.size * opts.min_ratio) return null;
  const regions: Box[] = [];
  for (const m of [...motion].sort((a, b) => boxArea(b) - boxArea(a))) {
    if (regions.some((r) => contains(r, m))) continue;
    // a margin so the object's edges are inside the crop, never less than the model's input
    const side = Math.max(opts.size, 1.2 * Math.max(m[2] - m[0], m[3] - m[1]));
    regions.push(placeSquare((m[0] + m[2]) / 2, (m[1] + m[3]) / 2, side, width, height));
    if (regions.length > opts.max_regions) return null;
  }
  const covered = regions.reduce((s, r) => s + boxArea(r), 0);
  return covered > WHOLE_FRAME_SHARE * width * height ? null : regions;
}

/** A side × side square centred on (cx, cy), slid inside the frame (clipped only if larger than it). */
function placeSquare(cx: number, cy: number, side: number, width: number, height: number): Box {
  const w = Math.min(side, width);
  const h = Math.min(side, height);
  const x = Math.round(Math.min(Math.max(cx - w / 2, 0), width - w));
  const y = Math.round(Math.min(Math.max(cy - h / 2, 0), height - h));
  return [x, y, x + Math.round(w), y + Math.round(h)];
}

function contains(outer: Box, inner: Box): boolean {
  return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
}

/**
 * Runs `detect` on each region's crop and maps the boxes back to frame pixels; where regions
 * overlap, one object found twice is kept once (NMS per label).
 */
export async function detectInRegions(img: RgbImage, regions: readonly Box[], detect: (crop: RgbImage) => Promise<ObjectDetection[]>): Promise<ObjectDetection[]> {
  const found: ObjectDetection[] = [];
  for (const region of regions) {
    const { image, left, top } = cropImage(img, region);
    for (const d of await detect(image)) found.push({ ...d, box: shiftBox(d.box, left, top) });
  }
  const labels = [...new Set(found.map((d) => d.label))];
  const keep = nms(
    found.map((d) => d.box),
    found.map((d) => d.score),
    { iouThreshold: 0.5, classes: found.map((d) => labels.indexOf(d.label)) },
  );
  return keep.map((i) => found[i]);
}
