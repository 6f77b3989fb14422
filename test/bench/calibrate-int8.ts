/**
 * `npm run calibrate:int8 [-- name…]`: records each default model's real inputs on the
 * calibration half of the fixtures (int8-inputs.ts), runs the float32 model on them with every
 * tensor the quantizer needs exposed, and writes each tensor's range (clipped where that lowers
 * the rounding error, `clippedRange`) and that error to `.cache/int8/<name>.json`, which
 * `npm run bench:int8` quantizes from (src/convert/quantize.ts) to measure agreement.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { calibrationTensors, clippedRange, exposeTensors, type CalibrationRanges } from '../../src/convert/quantize.js';
import { ModelManifest } from '../../src/models/manifest.js';
import { CALIBRATION_DIR, recordFeeds } from './int8-inputs.js';

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const models = names.length > 0 ? names : ['centernet', 'blazeface-back', 'faceres', 'blazepose-detector', 'blazepose-full'];
const manifest = ModelManifest.load();
const feeds = await recordFeeds('calibrate');
const outDir = CALIBRATION_DIR;
mkdirSync(outDir, { recursive: true });
for (const name of models) {
  // A feed with a value that is not finite says nothing about ranges (BlazePose-full was handed some: see the report).
  const all = feeds.get(name) ?? [];
  const samples = all.filter((f) => Object.values(f).every((t) => !(t.data instanceof Float32Array) || t.data.every(Number.isFinite)));
  if (samples.length < all.length) console.log(`${name}: ${all.length - samples.length} of ${all.length} inputs hold values that are not finite; left out`);
  if (samples.length === 0) throw new Error(`${name} ran on no calibration input`);
  const bytes = new Uint8Array(readFileSync(manifest.path(name)));
  const tensors = calibrationTensors(bytes);
  const session = await ort.InferenceSession.create(exposeTensors(bytes, tensors), { intraOpNumThreads: 2, graphOptimizationLevel: 'disabled' });
  const run = (feed: (typeof samples)[number]) => session.run(Object.fromEntries(Object.entries(feed).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)])), tensors);
  // A strided sample of every tensor's values over all runs (every value would not fit in memory).
  const values = new Map<string, number[]>(tensors.map((t) => [t, []]));
  for (const feed of samples) {
    const out = await run(feed);
    for (const t of tensors) {
      const data = out[t].data as Float32Array;
      const kept = values.get(t) as number[];
      const stride = Math.max(1, Math.floor(data.length / 4096)) | 1; // odd, so it walks across channels
      for (let i = 0; i < data.length; i += stride) kept.push(data[i]);
    }
  }
  const ranges: CalibrationRanges = Object.fromEntries(tensors.map((t) => [t, clippedRange(Float32Array.from(values.get(t) as number[]))]));
  await session.release();
  const path = join(outDir, `${name}.json`);
  writeFileSync(path, `${JSON.stringify({ model: name, samples: samples.length, ranges }, null, 1)}\n`);
  console.log(`${name}: ${tensors.length} tensors over ${samples.length} runs → ${path}`);
}
