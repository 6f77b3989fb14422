/**
 * The default detector with every class against the same graph reduced to the classes live
 * analysis reads with the default analyzers (person, pistol, knife: src/models/keep-classes.ts),
 * timed in turns on a fixture photo, each pruned to its detections and run with Argus' session
 * options. Prints both medians and their ratio.
 * Run: npx tsx test/bench/centernet-classes.ts [runs, default 160] [WxH, default 512x512]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { keepClasses } from '../../src/models/keep-classes.js';
import { defaultModelsDir } from '../../src/models/manifest.js';
import { pruneToOutputs } from '../../src/models/prune-outputs.js';
import { cpuSessionOptions } from '../../src/models/session-options.js';
import { loadImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';
import { median, timeInTurns } from './timing.js';

const runs = Number(process.argv[2] ?? 160);
const [w, h] = (process.argv[3] ?? '512x512').split('x').map(Number);
const full = readFileSync(join(defaultModelsDir(), 'centernet-weapons.onnx'));
const sessions = [];
for (const bytes of [full, keepClasses(full, [0, 80, 81])])
  sessions.push(await ort.InferenceSession.create(pruneToOutputs(bytes, ['tower_0/detections']).bytes, cpuSessionOptions(2)));
const lb = await letterboxTensor(await loadImage(join(import.meta.dirname, '../../../shared/fixtures/people/group-3.jpg')), w, h, 0, { layout: 'nhwc' });
const input = { 'tower_0/images': new ort.Tensor('float32', lb.data, [1, h, w, 3]) };
const t = await timeInTurns(
  sessions.map((s) => () => s.run(input)),
  runs,
  2,
  Math.round(runs / 8),
);
const [a, b] = t.map(median);
console.log(`${w}×${h}: every class ${a.toFixed(2)} ms; person, pistol, knife ${b.toFixed(2)} ms (${(b / a).toFixed(3)}); load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
