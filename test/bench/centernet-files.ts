/**
 * Two builds of the default detector timed in turns, as Argus runs them live (the live classes,
 * pruned to its detections, Argus' session options) on a fixture photo at 512×512: for a
 * converter change, the file the commit before built against the one this commit builds.
 * Prints the largest difference between their detection rows and both medians.
 * Run: npx tsx test/bench/centernet-files.ts <before.onnx> <after.onnx> [runs, default 160] [--height=320]
 * (`--height`: the input 512 wide and that high, the photo letterboxed into it, as `models.objects.input:
 * frame` gives a 16:9 camera)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { keepClasses } from '../../src/models/keep-classes.js';
import { pruneToOutputs } from '../../src/models/prune-outputs.js';
import { cpuSessionOptions } from '../../src/models/session-options.js';
import { loadImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';
import { median, timeInTurns } from './timing.js';
const height = Number(process.argv.find((x) => x.startsWith('--height='))?.split('=')[1] ?? 512);
const [a, b, runArg] = process.argv.slice(2).filter((x) => !x.startsWith('--'));
if (!a || !b) throw new Error('usage: centernet-files.ts <before.onnx> <after.onnx> [runs]');
const runs = Number(runArg ?? 160);
const sessions = [];
for (const f of [a, b])
  sessions.push(await ort.InferenceSession.create(pruneToOutputs(keepClasses(readFileSync(f), [0, 80, 81]), ['tower_0/detections']).bytes, cpuSessionOptions(2)));
const lb = await letterboxTensor(await loadImage(join(import.meta.dirname, '../../../shared/fixtures/people/group-3.jpg')), 512, height, 0, { layout: 'nhwc' });
const input = { 'tower_0/images': new ort.Tensor('float32', lb.data, [1, height, 512, 3]) };
const outs = await Promise.all(sessions.map((s) => s.run(input)));
const [d0, d1] = outs.map((o) => o['tower_0/detections'].data as Float32Array);
let m = 0;
for (let i = 0; i < d0.length; i++) m = Math.max(m, Math.abs(d0[i] - d1[i]));
console.log('max |diff| over detections', m);
const t = await timeInTurns(
  sessions.map((s) => () => s.run(input)),
  runs,
  2,
  Math.round(runs / 8),
);
const [x, y] = t.map(median);
console.log(`512×${height}: before ${x.toFixed(2)} ms, after ${y.toFixed(2)} ms (${(y / x).toFixed(3)}); load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
