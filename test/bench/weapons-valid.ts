// The shipped weapon classes on the weapons dataset's valid split, as Argus runs the built
// models/centernet-weapons.onnx (docs/weapons.md, "Figures"): AP@0.5, precision and recall at
// a few thresholds, and the best F1 on the curve.
// npx tsx test/bench/weapons-valid.ts [--data ../shared/datasets/weapons] [--model models/centernet-weapons.onnx] [--at 0.3,0.5,0.7,0.8,0.9] [--iou 0.5]
//   [--head=models/weapons.head.json | --no-verifier] (the candidates rescored by the head's verifier, as Argus runs it, or not)
//   [--floor=0.08] (the detector score the verifier looks from; verifier.ts' PHOTO_VERIFY_FLOOR by default, as Argus verifies a photo)
//   [--step=0.5] (how far verified boxes move towards the box regressor's; verifier.ts' BOX_STEP by default)
//   [--split=valid|test|train] (test: the dataset's second validation split, where BOX_STEP was chosen;
//   train: the photos the head and verifier learnt from, how well the frozen features fit them, ~12 min)
// (--iou 0.1: a detection counts wherever it overlaps its weapon at all, the boxes' own share of the AP left out)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atThreshold } from '../../src/train/average-precision.js';
import { evaluateMerged } from '../../src/train/evaluate.js';
import { readYoloSplit } from '../../src/train/yolo-dataset.js';
import { shippedVerifier } from './shipped-verifier.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const data = arg('--data', join(import.meta.dirname, '../../../shared/datasets/weapons'));
const model = readFileSync(arg('--model', join(import.meta.dirname, '../../models/centernet-weapons.onnx')));
const classes = ['pistol', 'knife'];
const splitName = args.find((a) => a.startsWith('--split='))?.slice('--split='.length) ?? 'valid';
if (splitName !== 'valid' && splitName !== 'test' && splitName !== 'train') throw new Error(`--split must be valid, test or train, got ${splitName}`);
const split = await readYoloSplit(data, splitName, classes);
const started = Date.now();
const iou = Number(arg('--iou', '0.5'));
const verifier = await shippedVerifier(args);
const floor = args.find((a) => a.startsWith('--floor='));
const verifyFloor = floor ? Number(floor.slice('--floor='.length)) : undefined;
const step = args.find((a) => a.startsWith('--step='));
const boxStep = step ? Number(step.slice('--step='.length)) : undefined;
const { curves } = await evaluateMerged(model, split.images, classes, { baseClasses: 80, threads: 2, iou, verifier, verifyFloor, boxStep });
const thresholds = arg('--at', '0.3,0.5,0.7,0.8,0.9').split(',').map(Number);
console.log(`${splitName} split, ${split.images.length} photos, ${verifier ? 'verified' : 'the detector alone'} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
console.log(`| class | boxes | AP@${iou} | ${thresholds.map((t) => `P / R at ${t}`).join(' | ')} | best F1 |`);
console.log(`|---|---:|---:|${thresholds.map(() => '---').join('|')}|---|`);
for (const [c, curve] of curves.entries()) {
  const pr = thresholds.map((t) => atThreshold(curve, t));
  let best = { f1: 0, t: 0, p: 0, r: 0 };
  for (let t = 0.05; t < 0.95; t += 0.01) {
    const { precision: p, recall: r } = atThreshold(curve, t);
    const f1 = p + r > 0 ? (2 * p * r) / (p + r) : 0;
    if (f1 > best.f1) best = { f1, t, p, r };
  }
  console.log(
    `| ${classes[c]} | ${curve.boxes} | ${curve.ap.toFixed(3)} | ${pr.map((x) => `${x.precision.toFixed(3)} / ${x.recall.toFixed(3)}`).join(' | ')} | ${best.f1.toFixed(2)} at ${best.t.toFixed(2)} (${best.p.toFixed(2)} / ${best.r.toFixed(2)}) |`,
  );
}
