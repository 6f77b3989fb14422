/**
 * `npm run bench:int8 [-- --max-error 0.02] [name[,name…]…]`: how far each default model, quantized
 * to int8 (src/convert/quantize.ts, from the ranges `npm run calibrate:int8` wrote), moves Argus'
 * answers from float32's, on the check half of the fixtures (int8-inputs.ts: frames and photos the
 * calibration never saw). Each variant swaps one model (then all) to int8 and runs `analyzeImage`
 * on the same images; matched by label and IoU ≥ 0.5 against float32.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { analyzeImage, type ImageAnalysis } from '../../src/models/analyze-image.js';
import { Detector } from '../../src/models/detector.js';
import { cosineSimilarity } from '../../src/models/face-embedder.js';
import { defaultModelsDir } from '../../src/models/manifest.js';
import { modelsSchema } from '../../src/models/model-config.js';
import { iou, type Box } from '../../src/vision/iou.js';
import type { RgbImage } from '../../src/vision/image.js';
import { CALIBRATION_DIR, clipFrames, photo, photoPaths } from './int8-inputs.js';
import { quantizeModel, type CalibrationRanges } from '../../src/convert/quantize.js';

const QUANTIZED = ['centernet', 'blazeface-back', 'faceres', 'blazepose-detector', 'blazepose-full'];

const maxErrorAt = process.argv.indexOf('--max-error');
const MAX_ERROR = maxErrorAt >= 0 ? Number(process.argv[maxErrorAt + 1]) : 0.02;

/** A models folder of links to the float32 files, but for `int8`, quantized in place of theirs. */
function modelsDir(int8: readonly string[]): string {
  const src = defaultModelsDir();
  const dir = mkdtempSync(join(tmpdir(), 'argus-int8-'));
  for (const f of readdirSync(src)) {
    const name = f.replace(/\.onnx$/, '');
    if (!int8.includes(name)) symlinkSync(join(src, f), join(dir, f));
    else {
      const { ranges } = JSON.parse(readFileSync(join(CALIBRATION_DIR, `${name}.json`), 'utf8')) as { ranges: CalibrationRanges };
      const q = quantizeModel(new Uint8Array(readFileSync(join(src, f))), ranges, { maxError: MAX_ERROR });
      writeFileSync(join(dir, f), q.bytes);
      quantized.set(name, `${q.quantized} of ${q.total} Convs`);
    }
  }
  return dir;
}
const quantized = new Map<string, string>();

async function analyzeAll(int8: readonly string[], images: RgbImage[]): Promise<ImageAnalysis[]> {
  const dir = modelsDir(int8);
  const detector = await Detector.create({ config: modelsSchema.parse({ dir }), logger: silentLogger() });
  try {
    const out: ImageAnalysis[] = [];
    for (const img of images) out.push(await analyzeImage(detector, img, { file: '', families: ['objects', 'faces', 'pose'], embeddings: true }));
    return out;
  } finally {
    await detector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Greedy one-to-one matching, best IoU first, same label. */
function match<T extends { box: Box; label?: string }>(a: T[], b: T[]): Array<[T, T, number]> {
  const pairs: Array<[number, number, number]> = [];
  for (const [i, x] of a.entries()) for (const [j, y] of b.entries()) if (x.label === y.label && iou(x.box, y.box) >= 0.5) pairs.push([i, j, iou(x.box, y.box)]);
  pairs.sort((p, q) => q[2] - p[2]);
  const [ua, ub] = [new Set<number>(), new Set<number>()];
  const out: Array<[T, T, number]> = [];
  for (const [i, j, v] of pairs) {
    if (ua.has(i) || ub.has(j)) continue;
    ua.add(i);
    ub.add(j);
    out.push([a[i], b[j], v]);
  }
  return out;
}

const q = (xs: number[], p: number) => (xs.length === 0 ? Number.NaN : [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))]);
const f = (x: number, d = 3) => (Number.isNaN(x) ? '–' : x.toFixed(d));

function compare(ref: ImageAnalysis[], got: ImageAnalysis[]): string {
  const rows: string[] = [];
  let [objA, objB, objM] = [0, 0, 0];
  const objIou: number[] = [];
  const objDs: number[] = [];
  let [faceA, faceB, faceM] = [0, 0, 0];
  const faceIou: number[] = [];
  const cos: number[] = [];
  let [poseA, poseB, poseM] = [0, 0, 0];
  const kpErr: number[] = [];
  for (const [i, r] of ref.entries()) {
    const g = got[i];
    const om = match(r.objects, g.objects);
    [objA, objB, objM] = [objA + r.objects.length, objB + g.objects.length, objM + om.length];
    for (const [x, y, v] of om) {
      objIou.push(v);
      objDs.push(Math.abs(x.score - y.score));
    }
    const fm = match(r.faces, g.faces);
    [faceA, faceB, faceM] = [faceA + r.faces.length, faceB + g.faces.length, faceM + fm.length];
    for (const [x, y, v] of fm) {
      faceIou.push(v);
      if (x.embedding && y.embedding) cos.push(cosineSimilarity(x.embedding, y.embedding));
    }
    const pm = match(r.poses, g.poses);
    [poseA, poseB, poseM] = [poseA + r.poses.length, poseB + g.poses.length, poseM + pm.length];
    for (const [x, y] of pm) {
      const h = Math.max(1, x.box[3] - x.box[1]);
      for (const [k, kp] of x.keypoints.entries()) if (kp.score >= 0.5) kpErr.push(Math.hypot(kp.x - y.keypoints[k].x, kp.y - y.keypoints[k].y) / h);
    }
  }
  rows.push(
    `objects ${objM} matched of ${objA} float / ${objB} int8, IoU median ${f(q(objIou, 0.5))} min ${f(q(objIou, 0))}, |Δscore| median ${f(q(objDs, 0.5))} max ${f(q(objDs, 1))}`,
  );
  rows.push(`faces ${faceM} of ${faceA} / ${faceB}, IoU median ${f(q(faceIou, 0.5))} min ${f(q(faceIou, 0))}, embedding cosine median ${f(q(cos, 0.5), 4)} min ${f(q(cos, 0), 4)}`);
  rows.push(`poses ${poseM} of ${poseA} / ${poseB}, keypoint error ÷ box height median ${f(q(kpErr, 0.5))} p90 ${f(q(kpErr, 0.9))}`);
  return rows.join('; ');
}

const images = [...(await Promise.all(photoPaths('check').map(photo))), ...clipFrames('check').map((c) => c.img)];
console.log(`${images.length} check images (faces/probe photos and the clip's odd motion frames)`);
const ref = await analyzeAll([], images);
const args = process.argv.slice(2).filter((a, i, all) => a !== '--max-error' && all[i - 1] !== '--max-error');
const variants = args.length > 0 ? args.map((a) => a.split(',')) : [...QUANTIZED.map((m) => [m]), QUANTIZED];
for (const v of variants) {
  const got = await analyzeAll(v, images);
  console.log(`int8 ${v.map((m) => `${m} (${quantized.get(m)})`).join(' + ')}: ${compare(ref, got)}`);
}
