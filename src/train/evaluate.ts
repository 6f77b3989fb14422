import * as ort from 'onnxruntime-node';
import { decodeCenterNet } from '../models/centernet.js';
import { loadImage } from '../vision/image.js';
import type { Box } from '../vision/iou.js';
import { letterboxTensor } from '../vision/resize.js';
import { averagePrecision, type ClassCurve, type ScoredBox, type TruthBox } from './average-precision.js';
import { CENTERNET_TENSORS } from './feature-model.js';
import type { YoloImage } from './yolo-dataset.js';

export const EVAL_SIZE = 512;
/** Scores kept for the precision–recall curve (the detector's top 100 peaks go far lower). */
const MIN_SCORE = 0.01;

/**
 * AP@0.5 (or at `iou`) per trained class of a merged model, run exactly as Argus runs CenterNet (the photo
 * letterboxed into 512×512, top-100 peaks, per-class NMS), over labelled images.
 */
export async function evaluateMerged(
  merged: Uint8Array,
  images: YoloImage[],
  classes: string[],
  opts: { baseClasses: number; threads?: number; onImage?: (done: number) => void; shouldStop?: () => boolean /** IoU a detection must reach (0.5). */; iou?: number },
): Promise<{ curves: ClassCurve[]; detections: ScoredBox[] }> {
  const session = await ort.InferenceSession.create(merged, { intraOpNumThreads: opts.threads ?? 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const labels = Array.from({ length: opts.baseClasses + classes.length }, (_, i) => String(i));
  const detections: ScoredBox[] = [];
  const truth: TruthBox[] = [];
  try {
    for (const [image, item] of images.entries()) {
      if (opts.shouldStop?.()) throw new Error('interrupted');
      const img = await loadImage(item.image);
      const lb = await letterboxTensor(img, EVAL_SIZE, EVAL_SIZE, 0, { layout: 'nhwc' });
      const out = await session.run({ [CENTERNET_TENSORS.input]: new ort.Tensor('float32', lb.data, [1, EVAL_SIZE, EVAL_SIZE, 3]) }, ['tower_0/detections']);
      const rows = out['tower_0/detections'].data as Float32Array;
      for (const d of decodeCenterNet(rows, { labels, minScore: MIN_SCORE, scale: lb.scale, padX: lb.padX, padY: lb.padY })) {
        const cls = Number(d.label) - opts.baseClasses;
        if (cls >= 0) detections.push({ image, cls, score: d.score, box: d.box });
      }
      for (const b of item.boxes) {
        const box: Box = [(b.cx - b.w / 2) * img.width, (b.cy - b.h / 2) * img.height, (b.cx + b.w / 2) * img.width, (b.cy + b.h / 2) * img.height];
        truth.push({ image, cls: b.cls, box });
      }
      opts.onImage?.(image + 1);
    }
  } finally {
    await session.release();
  }
  return { curves: classes.map((_, c) => averagePrecision(detections, truth, c, opts.iou)), detections };
}
