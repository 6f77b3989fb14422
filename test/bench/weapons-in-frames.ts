/**
 * The weapon classes where a camera would see them: each valid photo of the weapons data set scaled
 * to 120–320 px (seeded) and pasted at a seeded place into a 640×360 frame of the Hamilton clip
 * (people, a stage), its boxes moved with it. AP@0.5 per class with the detector at 512×512
 * (`square`, the default) and at the frame's own aspect (`frame`, 512×320):
 *   npx tsx test/bench/weapons-in-frames.ts [model.onnx] [--n=1043] [--head=models/weapons.head.json | --no-verifier]
 * (with the head's verifier, `square` is also reported with its candidates rescored, as Argus runs it)
 * A photo pasted into a scene is not a CCTV frame (its lighting, blur and angle are the photo's),
 * but the weapon is as small as a camera across a room would see it (docs/weapons.md).
 */
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCenterNet, frameInputSize } from '../../src/models/centernet.js';
import { letterboxTensor } from '../../src/vision/resize.js';
import { rgbImage } from '../../src/vision/image.js';
import { averagePrecision, type ScoredBox, type TruthBox } from '../../src/train/average-precision.js';
import { readYoloSplit } from '../../src/train/yolo-dataset.js';
import { seededRandom } from '../../src/train/rng.js';
import { clipFrames } from './int8-inputs.js';
import { shippedVerifier } from './shipped-verifier.js';
import { ortVerifier } from '../../src/train/evaluate.js';
import { verifyDetections } from '../../src/models/verifier.js';
const model = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? join(import.meta.dirname, '../../models/centernet-weapons.onnx');
const N = Number(process.argv.find((a) => a.startsWith('--n='))?.split('=')[1] ?? 1043);
const session = await ort.InferenceSession.create(readFileSync(model), { intraOpNumThreads: 2 });
const split = await readYoloSplit(join(import.meta.dirname, '../../../shared/datasets/weapons'), 'valid', ['pistol', 'knife']);
const bgs = [...clipFrames('calibrate'), ...clipFrames('check')].map((c) => c.img);
const rnd = seededRandom(7);
const labels = Array.from({ length: 82 }, (_, i) => String(i));
const verifierBytes = await shippedVerifier(process.argv.slice(2));
const verifier = verifierBytes ? await ortVerifier(verifierBytes, ['pistol', 'knife'], 2) : undefined;
const dets: Record<string, ScoredBox[]> = { square: [], frame: [], 'square, verified': [], 'frame, verified': [] };
const truth: TruthBox[] = [];
const step = Math.max(1, Math.floor(split.images.length / N));
let image = 0;
for (let i = 0; i < split.images.length && image < N; i += step, image++) {
  const item = split.images[i];
  const bg = bgs[image % bgs.length];
  const S = Math.round(120 + rnd() * 200);
  const x = Math.floor(rnd() * (640 - S));
  const y = Math.floor(rnd() * (360 - S));
  const h = S;
  const patch = await sharp(item.image).resize(S, h, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const data = new Uint8Array(bg.data);
  for (let r = 0; r < h; r++) data.set(patch.subarray(r * S * 3, (r + 1) * S * 3), ((y + r) * 640 + x) * 3);
  const img = rgbImage(640, 360, data);
  for (const b of item.boxes) truth.push({ image, cls: b.cls, box: [x + (b.cx - b.w / 2) * S, y + (b.cy - b.h / 2) * h, x + (b.cx + b.w / 2) * S, y + (b.cy + b.h / 2) * h] });
  for (const [mode, [w, hh]] of [
    ['square', [512, 512]],
    ['frame', frameInputSize(img)],
  ] as const) {
    const lb = await letterboxTensor(img, w, hh, 0, { layout: 'nhwc' });
    const out = await session.run({ 'tower_0/images': new ort.Tensor('float32', lb.data, [1, hh, w, 3]) }, ['tower_0/detections']);
    const found = decodeCenterNet(out['tower_0/detections'].data as Float32Array, { labels, minScore: 0.01, scale: lb.scale, padX: lb.padX, padY: lb.padY, picture: img });
    for (const d of found) {
      const cls = Number(d.label) - 80;
      if (cls >= 0) dets[mode].push({ image, cls, score: d.score, box: d.box });
    }
    if (verifier) {
      const named = found.map((d) => ({ ...d, label: ['pistol', 'knife'][Number(d.label) - 80] ?? d.label }));
      for (const d of await verifyDetections(img, named, [verifier], 0.01)) {
        const cls = ['pistol', 'knife'].indexOf(d.label);
        if (cls >= 0) dets[`${mode}, verified`].push({ image, cls, score: d.score, box: d.box });
      }
    }
  }
}
console.log(`${model}: ${image} valid photos pasted into clip frames`);
for (const mode of verifier ? ['square', 'frame', 'square, verified', 'frame, verified'] : ['square', 'frame'])
  console.log(`${mode}: ${['pistol', 'knife'].map((c, k) => `${c} AP@0.5 ${averagePrecision(dets[mode], truth, k).ap.toFixed(3)}`).join(', ')}`);
process.exit(0);
