import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { cropFeatureModel, type ExportedVerifier, POOLED, POOLED_FEATURES, VERIFIER_CROP } from '../convert/crop-verifier.js';
import { decodeCenterNet } from '../models/centernet.js';
import { verifierExtras } from '../models/verifier.js';
import { cropTensor } from '../vision/crop.js';
import { loadImage } from '../vision/image.js';
import { type Box, iou } from '../vision/iou.js';
import { letterboxTensor } from '../vision/resize.js';
import { EVAL_SIZE } from './evaluate.js';
import { CENTERNET_TENSORS } from './feature-model.js';
import { writeFileAtomic } from './head-file.js';
import { seededRandom, shuffle } from './rng.js';
import type { YoloImage } from './yolo-dataset.js';

/** Candidates a training photo gives: its trained-class detections from this score, the highest first. */
const CANDIDATE_FLOOR = 0.02;
const CANDIDATES = 10;
const SHARD_IMAGES = 200;

export interface VerifierSamples {
  /** Pooled crop features and extras, `dim` a row. */
  x: Float32Array;
  /** 0: none; c + 1: class c (the candidate overlaps a labelled box of that class at IoU ≥ 0.5). */
  y: Uint8Array;
  dim: number;
  count: number;
}

export interface VerifierTraining {
  hidden: number;
  epochs: number;
  batch: number;
  lr: number;
  weightDecay: number;
  seed: number;
}

export const DEFAULT_VERIFIER_TRAINING: VerifierTraining = { hidden: 32, epochs: 5, batch: 256, lr: 1e-3, weightDecay: 1e-4, seed: 1 };

/**
 * The verifier's training rows: for each photo, the merged detector's candidates of the trained
 * classes (right or wrong, as it will see them) and each labelled box itself, cropped and pooled.
 * Cached in shards under `dir`, so a stopped run resumes.
 */
export async function verifierSamples(
  merged: Uint8Array,
  centernet: Uint8Array,
  images: YoloImage[],
  o: { classes: number; baseClasses: number; threads?: number; dir: string; stop: () => void; onImage?: (done: number) => void },
): Promise<VerifierSamples> {
  await mkdir(o.dir, { recursive: true });
  const dim = POOLED_FEATURES + o.classes + 2;
  const shards = Math.ceil(images.length / SHARD_IMAGES);
  const parts: { x: Float32Array; y: Uint8Array }[] = [];
  const opts = { intraOpNumThreads: o.threads ?? 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
  let sessions: { det: ort.InferenceSession; feat: ort.InferenceSession } | undefined;
  try {
    for (let s = 0; s < shards; s++) {
      const path = join(o.dir, `verifier-${String(s).padStart(4, '0')}.bin`);
      if (existsSync(path)) {
        parts.push(decodeShard(await readFile(path), dim));
        o.onImage?.(Math.min(images.length, (s + 1) * SHARD_IMAGES));
        continue;
      }
      sessions ??= { det: await ort.InferenceSession.create(merged, opts), feat: await ort.InferenceSession.create(cropFeatureModel(centernet), opts) };
      const rows: number[][] = [];
      const ys: number[] = [];
      for (let i = s * SHARD_IMAGES; i < Math.min(images.length, (s + 1) * SHARD_IMAGES); i++) {
        o.stop();
        const item = images[i];
        const img = await loadImage(item.image);
        const truth = item.boxes.map((b) => ({
          cls: b.cls,
          box: [(b.cx - b.w / 2) * img.width, (b.cy - b.h / 2) * img.height, (b.cx + b.w / 2) * img.width, (b.cy + b.h / 2) * img.height] as Box,
        }));
        const cands = [...(await candidates(sessions.det, img, o.baseClasses, o.classes)), ...truth];
        for (const c of cands) {
          const t = await cropTensor(img, c.box, VERIFIER_CROP);
          const out = await sessions.feat.run({ [CENTERNET_TENSORS.input]: new ort.Tensor('float32', t.data, [1, VERIFIER_CROP, VERIFIER_CROP, 3]) }, [POOLED]);
          const row = new Float32Array(dim);
          row.set(out[POOLED].data as Float32Array);
          row.set(verifierExtras(c.box, img.width, img.height, c.cls, o.classes), POOLED_FEATURES);
          rows.push(Array.from(row));
          ys.push(target(c.box, truth));
        }
        o.onImage?.(i + 1);
      }
      const part = { x: Float32Array.from(rows.flat()), y: Uint8Array.from(ys) };
      await writeFileAtomic(path, encodeShard(part) as never);
      parts.push(part);
    }
  } finally {
    await sessions?.det.release();
    await sessions?.feat.release();
  }
  const count = parts.reduce((n, p) => n + p.y.length, 0);
  const x = new Float32Array(count * dim);
  const y = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    x.set(p.x, at * dim);
    y.set(p.y, at);
    at += p.y.length;
  }
  return { x, y, dim, count };
}

/** The merged detector's trained-class detections on a photo, as the verifier will be asked about them. */
async function candidates(det: ort.InferenceSession, img: Awaited<ReturnType<typeof loadImage>>, baseClasses: number, classes: number): Promise<{ cls: number; box: Box }[]> {
  const lb = await letterboxTensor(img, EVAL_SIZE, EVAL_SIZE, 0, { layout: 'nhwc' });
  const out = await det.run({ [CENTERNET_TENSORS.input]: new ort.Tensor('float32', lb.data, [1, EVAL_SIZE, EVAL_SIZE, 3]) }, ['tower_0/detections']);
  const labels = Array.from({ length: baseClasses + classes }, (_, i) => String(i));
  return decodeCenterNet(out['tower_0/detections'].data as Float32Array, { labels, minScore: CANDIDATE_FLOOR, scale: lb.scale, padX: lb.padX, padY: lb.padY })
    .filter((d) => Number(d.label) >= baseClasses)
    .slice(0, CANDIDATES)
    .map((d) => ({ cls: Number(d.label) - baseClasses, box: d.box }));
}

function target(box: Box, truth: { cls: number; box: Box }[]): number {
  let best = 0.5;
  let y = 0;
  for (const t of truth) {
    const o = iou(box, t.box);
    if (o >= best) {
      best = o;
      y = t.cls + 1;
    }
  }
  return y;
}

function encodeShard(p: { x: Float32Array; y: Uint8Array }): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(p.y.length, 0);
  return Buffer.concat([header, Buffer.from(p.x.buffer, p.x.byteOffset, p.x.byteLength), Buffer.from(p.y)]);
}

function decodeShard(buf: Buffer, dim: number): { x: Float32Array; y: Uint8Array } {
  const n = buf.readUInt32LE(0);
  if (buf.length !== 4 + n * dim * 4 + n) throw new Error('verifier cache shard does not match; delete the work folder');
  const x = new Float32Array(n * dim);
  new Uint8Array(x.buffer).set(buf.subarray(4, 4 + n * dim * 4));
  return { x, y: Uint8Array.from(buf.subarray(4 + n * dim * 4)) };
}

/**
 * Trains the verifier: standardised inputs → `hidden` ReLU → softmax over none and the classes,
 * cross-entropy, Adam with cosine decay and weight decay, fixed seed. A few epochs: it overfits
 * the training crops soon after (measured: the valid loss rises from epoch 5).
 */
export function trainVerifier(
  s: VerifierSamples,
  classes: number,
  t: VerifierTraining = DEFAULT_VERIFIER_TRAINING,
  onEpoch?: (epoch: number, loss: number) => void,
): ExportedVerifier {
  const { mean, inv, x } = standardise(s);
  const random = seededRandom(t.seed);
  const net = new VerifierNet(s.dim, t.hidden, classes + 1, random);
  const order = Uint32Array.from({ length: s.count }, (_, i) => i);
  const steps = Math.ceil(s.count / t.batch);
  for (let e = 0; e < t.epochs; e++) {
    shuffle(order, random);
    let loss = 0;
    for (let b = 0; b < steps; b++) {
      const lr = t.lr * 0.5 * (1 + Math.cos((Math.PI * (e * steps + b)) / (t.epochs * steps)));
      loss += net.step(x, s.y, order.subarray(b * t.batch, Math.min(s.count, (b + 1) * t.batch)), lr, t.weightDecay);
    }
    onEpoch?.(e + 1, loss / s.count);
  }
  return net.export(mean, inv);
}

function standardise(s: VerifierSamples): { mean: Float64Array; inv: Float32Array; x: Float32Array } {
  const { dim: D, count: n } = s;
  const mean = new Float64Array(D);
  const varc = new Float64Array(D);
  for (let i = 0; i < n * D; i++) mean[i % D] += s.x[i] / n;
  for (let i = 0; i < n * D; i++) varc[i % D] += (s.x[i] - mean[i % D]) ** 2 / n;
  const inv = Float32Array.from(varc, (v) => 1 / Math.sqrt(v + 1e-6));
  const x = new Float32Array(n * D);
  for (let i = 0; i < n * D; i++) x[i] = (s.x[i] - mean[i % D]) * inv[i % D];
  return { mean, inv, x };
}

/** Two dense layers, trained a batch at a time with Adam. */
class VerifierNet {
  private readonly w1: Float32Array; // [H, D]
  private readonly b1: Float32Array;
  private readonly w2: Float32Array; // [C, H]
  private readonly b2: Float32Array;
  private readonly params: Float32Array[];
  private readonly grads: Float32Array[];
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private readonly hid: Float32Array;
  private readonly dh: Float32Array;
  private readonly p: Float32Array;
  private t = 0;

  constructor(
    private readonly D: number,
    private readonly H: number,
    private readonly C: number,
    random: () => number,
  ) {
    const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
    this.w1 = Float32Array.from({ length: H * D }, () => gauss() * Math.sqrt(2 / D));
    this.b1 = new Float32Array(H);
    this.w2 = Float32Array.from({ length: C * H }, () => gauss() * Math.sqrt(1 / H));
    this.b2 = new Float32Array(C);
    this.params = [this.w1, this.b1, this.w2, this.b2];
    this.grads = this.params.map((q) => new Float32Array(q.length));
    this.m = this.params.map((q) => new Float32Array(q.length));
    this.v = this.params.map((q) => new Float32Array(q.length));
    this.hid = new Float32Array(H);
    this.dh = new Float32Array(H);
    this.p = new Float32Array(C);
  }

  /** One batch (rows of x by index): gradients, then an Adam step; returns the summed loss. */
  step(x: Float32Array, y: Uint8Array, rows: Uint32Array, lr: number, weightDecay: number): number {
    for (const g of this.grads) g.fill(0);
    let loss = 0;
    for (const i of rows) loss += this.backward(x, i * this.D, y[i]);
    this.t++;
    for (let q = 0; q < this.params.length; q++) adam(this.params[q], this.grads[q], this.m[q], this.v[q], rows.length, q % 2 === 0 ? weightDecay : 0, lr, this.t);
    return loss;
  }

  private backward(x: Float32Array, o: number, y: number): number {
    const { D, H, C, hid, dh, p } = this;
    const [g1, gb1, g2, gb2] = this.grads;
    this.forward(x, o);
    dh.fill(0);
    for (let c = 0; c < C; c++) {
      const dz = p[c] - (c === y ? 1 : 0);
      gb2[c] += dz;
      for (let j = 0; j < H; j++) {
        g2[c * H + j] += dz * hid[j];
        dh[j] += dz * this.w2[c * H + j];
      }
    }
    for (let j = 0; j < H; j++) {
      if (hid[j] <= 0) continue;
      gb1[j] += dh[j];
      for (let d = 0; d < D; d++) g1[j * D + d] += dh[j] * x[o + d];
    }
    return -Math.log(p[y] + 1e-9);
  }

  private forward(x: Float32Array, o: number): void {
    const { D, H, C, hid, p } = this;
    for (let j = 0; j < H; j++) {
      let z = this.b1[j];
      for (let d = 0; d < D; d++) z += this.w1[j * D + d] * x[o + d];
      hid[j] = Math.max(0, z);
    }
    for (let c = 0; c < C; c++) {
      let z = this.b2[c];
      for (let j = 0; j < H; j++) z += this.w2[c * H + j] * hid[j];
      p[c] = z;
    }
    const max = Math.max(...p);
    let sum = 0;
    for (let c = 0; c < C; c++) {
      p[c] = Math.exp(p[c] - max);
      sum += p[c];
    }
    for (let c = 0; c < C; c++) p[c] /= sum;
  }

  /** The standardisation folded into the first layer: the merged graph reads raw pooled features. */
  export(mean: Float64Array, inv: Float32Array): ExportedVerifier {
    const { D, H } = this;
    const w1 = new Float32Array(H * D);
    const b1 = Float32Array.from(this.b1);
    for (let j = 0; j < H; j++)
      for (let d = 0; d < D; d++) {
        w1[j * D + d] = this.w1[j * D + d] * inv[d];
        b1[j] -= this.w1[j * D + d] * inv[d] * mean[d];
      }
    return { dim: D, hidden: H, outputs: this.C, w1, b1, w2: Float32Array.from(this.w2), b2: Float32Array.from(this.b2) };
  }
}

function adam(P: Float32Array, G: Float32Array, M: Float32Array, V: Float32Array, rows: number, wd: number, lr: number, step: number): void {
  const c1 = 1 - 0.9 ** step;
  const c2 = 1 - 0.999 ** step;
  for (let q = 0; q < P.length; q++) {
    const grad = G[q] / rows + wd * P[q];
    M[q] = 0.9 * M[q] + 0.1 * grad;
    V[q] = 0.999 * V[q] + 0.001 * grad * grad;
    P[q] -= (lr * (M[q] / c1)) / (Math.sqrt(V[q] / c2) + 1e-8);
  }
}
