// The baseline the trained `knife` replaces: COCO's own `knife` class of the plain CenterNet, AP@0.5
// on the weapons dataset's valid split, run exactly as the trained head is evaluated.
// npm run bench:coco-knife -- [--data ../shared/datasets/weapons]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atThreshold } from '../../src/train/average-precision.js';
import { evaluateMerged } from '../../src/train/evaluate.js';
import { readYoloSplit } from '../../src/train/yolo-dataset.js';

const args = process.argv.slice(2);
const data = args.includes('--data') ? args[args.indexOf('--data') + 1] : join(import.meta.dirname, '../../../shared/datasets/weapons');
const coco = readFileSync(join(import.meta.dirname, '../../models/labels/coco80.txt'), 'utf8')
  .trim()
  .split('\n');
const knife = coco.indexOf('knife');
const split = await readYoloSplit(data, 'valid', ['knife']);
const images = split.images; // every photo: a pistol-only photo is where a false knife would show
const model = readFileSync(join(import.meta.dirname, '../../models/centernet.onnx'));
const started = Date.now();
const { curves } = await evaluateMerged(model, images, ['knife'], { baseClasses: knife, threads: 2 });
const c = curves[0];
const at = (t: number) => atThreshold(c, t);
console.log(`plain CenterNet, COCO knife (class ${knife}), valid split ${images.length} images: AP@0.5 ${c.ap.toFixed(3)}`);
for (const t of [0.3, 0.5, 0.7]) console.log(`  at ${t}: precision ${at(t).precision.toFixed(3)}, recall ${at(t).recall.toFixed(3)}`);
console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
