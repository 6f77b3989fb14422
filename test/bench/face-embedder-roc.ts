/**
 * Face verification ROC for the two embedders on the labelled fixture photos.
 * Run: npx tsx test/bench/face-embedder-roc.ts [--variants]
 *
 * Every labelled face is detected (BlazeFace), then re-detected in altered copies of its photo
 * (downscaled, blurred, darker, brighter, low JPEG quality, cropped), embedded, and every pair is
 * scored by cosine similarity. "Cross-photo" pairs leave out pairs cut from the same source photo,
 * which alterations make easy; that is the figure to trust.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { silentLogger } from '../../src/log.js';
import { BlazeFaceDetector } from '../../src/models/blazeface.js';
import type { FaceDetection } from '../../src/models/detection.js';
import { cosineSimilarity, EMBEDDERS, FACERES_MATCH_THRESHOLD, OnnxFaceEmbedder, type EmbedderSpec } from '../../src/models/face-embedder.js';
import { ModelManifest } from '../../src/models/manifest.js';
import { SessionPool } from '../../src/models/session-pool.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';
import { FACES, PROBE_PEOPLE } from '../registry/probe-faces.js';

const THRESHOLDS = [0.5, 0.55, FACERES_MATCH_THRESHOLD, 0.58, 0.6, 0.7];
type Alteration = { name: string; apply: (s: Sharp, w: number, h: number) => Sharp };
const ALTERATIONS: Alteration[] = [
  { name: 'original', apply: (s) => s },
  { name: 'half-size', apply: (s, w) => s.resize(Math.round(w / 2)) },
  { name: 'quarter-size', apply: (s, w) => s.resize(Math.max(64, Math.round(w / 4))) },
  { name: 'blur', apply: (s) => s.blur(2) },
  { name: 'dark', apply: (s) => s.modulate({ brightness: 0.55 }) },
  { name: 'bright', apply: (s) => s.modulate({ brightness: 1.5 }) },
  { name: 'jpeg-q15', apply: (s) => s.jpeg({ quality: 15 }) },
  { name: 'crop', apply: (s, w, h) => s.extract({ left: Math.round(w * 0.1), top: Math.round(h * 0.05), width: Math.round(w * 0.8), height: Math.round(h * 0.9) }) },
];

interface Sample {
  person: string;
  photo: string;
  variant: string;
  img: RgbImage;
  face: FaceDetection;
}

async function altered(path: string, a: Alteration): Promise<RgbImage> {
  const meta = await sharp(path).rotate().metadata();
  const w = meta.autoOrient?.width ?? meta.width!;
  const h = meta.autoOrient?.height ?? meta.height!;
  // Round-trip through JPEG so every alteration is a real re-encoded file, as a camera would send.
  const buf = await a
    .apply(sharp(path).rotate().removeAlpha(), w, h)
    .jpeg({ quality: a.name === 'jpeg-q15' ? 15 : 92 })
    .toBuffer();
  return loadImage(buf);
}

async function collect(detector: BlazeFaceDetector): Promise<{ samples: Sample[]; missed: string[] }> {
  const photos: { path: string; people: string[] }[] = [];
  for (const person of readdirSync(join(FACES, 'known'))) {
    for (const f of readdirSync(join(FACES, 'known', person))) photos.push({ path: join(FACES, 'known', person, f), people: [person] });
  }
  for (const [f, people] of Object.entries(PROBE_PEOPLE)) photos.push({ path: join(FACES, 'probe', f), people });
  const samples: Sample[] = [];
  const missed: string[] = [];
  for (const { path, people } of photos) {
    for (const a of ALTERATIONS) {
      const img = await altered(path, a);
      // The most confident faces, as many as the photo has people, then left to right.
      const faces = (await detector.detect(img)).slice(0, people.length).sort((x, y) => x.box[0] - y.box[0]);
      if (faces.length < people.length) {
        missed.push(`${path.slice(FACES.length + 1)} (${a.name})`);
        continue;
      }
      for (const [i, face] of faces.entries()) samples.push({ person: people[i], photo: path, variant: a.name, img, face });
    }
  }
  return { samples, missed };
}

interface Roc {
  auc: number;
  tprAt: Record<string, number>;
  thresholdAt: Record<string, number>;
  eer: number;
  positives: number;
  negatives: number;
}

function roc(pos: number[], neg: number[]): Roc {
  const negSorted = [...neg].sort((a, b) => b - a);
  // AUC = P(positive score > negative score), ties counting half
  const all = [...pos.map((s) => ({ s, p: 1 })), ...neg.map((s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const avgRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k].p) rankSum += avgRank;
    i = j;
  }
  const auc = (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
  const tprAt: Record<string, number> = {};
  const thresholdAt: Record<string, number> = {};
  for (const fpr of [0.001, 0.01, 0.05, 0.1]) {
    const t = negSorted[Math.floor(fpr * neg.length)] ?? -1; // scores strictly above t are accepted
    thresholdAt[String(fpr)] = t;
    tprAt[String(fpr)] = pos.filter((s) => s > t).length / pos.length;
  }
  let eer = 1;
  for (const t of [...pos, ...neg].sort((a, b) => a - b)) {
    const fnr = pos.filter((s) => s < t).length / pos.length;
    const fpr = neg.filter((s) => s >= t).length / neg.length;
    if (fnr >= fpr) {
      eer = (fnr + fpr) / 2;
      break;
    }
  }
  return { auc, tprAt, thresholdAt, eer, positives: pos.length, negatives: neg.length };
}

function pairs(samples: Sample[], embeddings: Float32Array[], crossPhotoOnly: boolean): { pos: number[]; neg: number[] } {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      if (crossPhotoOnly && samples[i].photo === samples[j].photo) continue;
      const s = cosineSimilarity(embeddings[i], embeddings[j]);
      (samples[i].person === samples[j].person ? pos : neg).push(s);
    }
  }
  return { pos, neg };
}

function at(pos: number[], neg: number[]): string {
  return [...new Set(THRESHOLDS)]
    .map((t) => {
      const tpr = pos.filter((s) => s >= t).length / pos.length;
      const fpr = neg.filter((s) => s >= t).length / neg.length;
      return `≥${t}: TPR ${(100 * tpr).toFixed(1)}% FPR ${(100 * fpr).toFixed(2)}%`;
    })
    .join('  ');
}

function fmt(r: Roc): string {
  const t = (k: string) => `TPR ${(100 * r.tprAt[k]).toFixed(1)}% (t=${r.thresholdAt[k].toFixed(3)})`;
  return `AUC ${r.auc.toFixed(4)}  EER ${(100 * r.eer).toFixed(1)}%  @FPR0.1%: ${t('0.001')}  @1%: ${t('0.01')}  @5%: ${t('0.05')}  @10%: ${t('0.1')}  [${r.positives} same / ${r.negatives} different]`;
}

async function main(): Promise<void> {
  if (!existsSync(FACES)) {
    console.log(`skipped: ${FACES} is absent`);
    return;
  }
  const manifest = ModelManifest.load();
  const pool = new SessionPool({ provider: 'cpu', threads: 2, workers: 1 }, silentLogger());
  try {
    const detector = new BlazeFaceDetector(pool, await pool.load('blazeface-back', manifest.path('blazeface-back')), 0.5);
    const { samples, missed } = await collect(detector);
    console.log(`${samples.length} face samples of ${new Set(samples.map((s) => s.person)).size} people from ${new Set(samples.map((s) => s.photo)).size} photos`);
    if (missed.length) console.log(`faces not all found in: ${missed.join(', ')}`);
    const specs: EmbedderSpec[] = [EMBEDDERS.faceres, EMBEDDERS.mobilefacenet];
    if (process.argv.includes('--variants')) {
      specs.push(
        { ...EMBEDDERS.faceres, bgr: false },
        { ...EMBEDDERS.faceres, zoom: 0.8 },
        { ...EMBEDDERS.faceres, zoom: 1.2 },
        { ...EMBEDDERS.faceres, scale: 1 / 255 },
        { ...EMBEDDERS.mobilefacenet, scale: 1 / 255, offset: 0 },
        { ...EMBEDDERS.mobilefacenet, scale: 1, offset: 0 },
        { ...EMBEDDERS.mobilefacenet, bgr: true },
        { ...EMBEDDERS.mobilefacenet, zoom: 0.8 },
      );
    }
    for (const spec of specs) {
      const info = await pool.load(spec.name, manifest.path(spec.name));
      const embedder = new OnnxFaceEmbedder(pool, info, spec);
      const embeddings: Float32Array[] = [];
      for (const s of samples) embeddings.push(await embedder.embed(s.img, s.face));
      const label = `${spec.name} (size ${spec.size}, zoom ${spec.zoom}, pixels ×${spec.scale.toFixed(4)} ${spec.offset >= 0 ? '+' : ''}${spec.offset.toFixed(3)}${spec.bgr ? ', BGR' : ''})`;
      console.log(`\n${label}`);
      const cross = pairs(samples, embeddings, true);
      const originals = samples.map((_s, i) => i).filter((i) => samples[i].variant === 'original');
      const orig = pairs(
        originals.map((i) => samples[i]),
        originals.map((i) => embeddings[i]),
        true,
      );
      console.log(`  cross-photo pairs:     ${fmt(roc(cross.pos, cross.neg))}`);
      console.log(`                         ${at(cross.pos, cross.neg)}`);
      console.log(`  unaltered photos only: ${fmt(roc(orig.pos, orig.neg))}`);
      console.log(`                         ${at(orig.pos, orig.neg)}`);
      const all = pairs(samples, embeddings, false);
      console.log(`  all pairs:             ${fmt(roc(all.pos, all.neg))}`);
    }
  } finally {
    await pool.close();
  }
}

await main();
