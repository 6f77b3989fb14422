/**
 * What CenterNet at a frame's own aspect (`models.objects.input: frame`) finds against the 512×512
 * letterbox (`square`), on the clip's odd motion frames and every fixture photo wider than tall:
 *   npx tsx test/bench/frame-input.ts [model.onnx …]
 * Each model (default models/centernet-weapons.onnx) is run both ways; the square letterbox of the
 * first is the reference. Prints how many of its objects ≥ 0.3 (and persons ≥ 0.4) the frame input
 * finds again (same label, IoU ≥ 0.7) and how their scores move. An older build (e.g. without the
 * padded squeeze-excite means, src/convert/padded-means.ts) can be passed to compare.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeCenterNet } from '../../src/models/centernet.js';
import { frameInputSize } from '../../src/models/centernet.js';
import type { ObjectDetection } from '../../src/models/detection.js';
import type { RgbImage } from '../../src/vision/image.js';
import { iou } from '../../src/vision/iou.js';
import { letterboxTensor } from '../../src/vision/resize.js';
import { clipFrames, photo, photoPaths } from './int8-inputs.js';

const MODELS = join(import.meta.dirname, '..', '..', 'models');
const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [join(MODELS, 'centernet-weapons.onnx')];
const labels = readFileSync(join(MODELS, 'labels', 'coco80-weapons.txt'), 'utf8')
  .split('\n')
  .filter(Boolean);
const sessions = await Promise.all(files.map((f) => ort.InferenceSession.create(f, { intraOpNumThreads: 2 })));

async function detect(session: ort.InferenceSession, img: RgbImage, [width, height]: [number, number]): Promise<ObjectDetection[]> {
  const lb = await letterboxTensor(img, width, height, 0, { layout: 'nhwc' });
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', lb.data, [1, height, width, 3]) }, ['tower_0/detections']);
  return decodeCenterNet(out['tower_0/detections'].data as Float32Array, { labels, minScore: 0.2, scale: lb.scale, padX: lb.padX, padY: lb.padY });
}

const images = [...clipFrames('check').map((c) => c.img), ...(await Promise.all([...photoPaths('calibrate'), ...photoPaths('check')].map(photo)))].filter(
  (img) => img.width > img.height,
);
const tally = files.map(() => ({ found: 0, total: 0, persons: 0, personsTotal: 0, deltas: [] as number[] }));
for (const img of images) {
  const reference = await detect(sessions[0], img, [512, 512]);
  for (const [i, session] of sessions.entries()) {
    const got = await detect(session, img, frameInputSize(img));
    for (const r of reference) {
      if (r.score < 0.3) continue;
      const match = got.filter((g) => g.label === r.label && iou(g.box, r.box) >= 0.7).sort((a, b) => b.score - a.score)[0];
      tally[i].total++;
      if (match) {
        tally[i].found++;
        tally[i].deltas.push(match.score - r.score);
      }
      if (r.label === 'person' && r.score >= 0.4) {
        tally[i].personsTotal++;
        if (match) tally[i].persons++;
      }
    }
  }
}
const at = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? Number.NaN;
console.log(`${images.length} landscape images (clip frames and fixture photos); reference: ${files[0]} at 512×512`);
console.log("| model at the frame's aspect | objects ≥ 0.3 found again | persons ≥ 0.4 | score change median (p10, p90) |");
console.log('|---|---:|---:|---|');
for (const [i, t] of tally.entries()) {
  console.log(
    `| ${files[i]} | ${t.found} of ${t.total} | ${t.persons} of ${t.personsTotal} | ${at(t.deltas, 0.5).toFixed(3)} (${at(t.deltas, 0.1).toFixed(3)}, ${at(t.deltas, 0.9).toFixed(3)}) |`,
  );
}
process.exit(0);
