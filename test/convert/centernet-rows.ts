import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';

const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures');

/** A CenterNet graph's detection rows (x1, y1, x2, y2, score, class) scoring at least `min`, in its order, for a fixture photo. */
export async function centernetRows(session: ort.InferenceSession, photo: string, min: number, width = 512, height = 512): Promise<number[][]> {
  const lb = await letterboxTensor(await loadImage(join(FIXTURES, photo)), width, height, 0, { layout: 'nhwc' });
  const out = await session.run({ 'tower_0/images': new ort.Tensor('float32', lb.data, [1, height, width, 3]) }, ['tower_0/detections']);
  const d = out['tower_0/detections'].data as Float32Array;
  return Array.from({ length: d.length / 6 }, (_, i) => Array.from(d.subarray(i * 6, i * 6 + 6))).filter((r) => r[4] >= min);
}
