import { existsSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DensePasses } from './dense-passes.js';
import {
  cropFeatureModel,
  type ExportedLayers,
  type ExportedVerifier,
  PLACE_VALUES,
  POOLED,
  POOLED_FEATURES,
  PROFILE_FEATURES,
  PROFILES,
  VERIFIER_CROP,
  verifierInputs,
} from '../convert/crop-verifier.js';
import { decodeCenterNet, photoViews } from '../models/centernet.js';
import { verifierExtras } from '../models/verifier.js';
import { boxPlace, cropTensor } from '../vision/crop.js';
import { flipHorizontal, unflipBox } from '../vision/flip.js';
import { loadImage, type RgbImage } from '../vision/image.js';
import { type Box, iou } from '../vision/iou.js';
import { letterboxTensor } from '../vision/resize.js';
import { EVAL_SIZE } from './evaluate.js';
import { mapLimited } from './map-limited.js';
import { CENTERNET_TENSORS } from './feature-model.js';
import { HALF_TABLE, toHalf } from './half.js';
import { writeFileAtomic } from './head-file.js';
import { seededRandom, shuffle } from './rng.js';
import type { YoloImage } from './yolo-dataset.js';

/** Candidates a training photo gives: its trained-class detections from this score, the highest first. */
const CANDIDATE_FLOOR = 0.02;
const CANDIDATES = 10;
const SHARD_IMAGES = 200;
/** A candidate teaches the box regressor where it overlaps a labelled box this much (the box it should have been). */
const REGRESS_IOU = 0.3;

export interface VerifierSamples {
  /**
   * A row per crop, `dim` values: its pooled features, profiles, extras and the box's place in its
   * crop (the order the graph concatenates them: crop-verifier.ts' verifierModel).
   */
  x: Float32Array;
  /** 0: none; c + 1: class c (the candidate overlaps a labelled box of that class at IoU ≥ 0.5). */
  y: Uint8Array;
  dim: number;
  count: number;
  /**
   * The box regressor's rows: candidates overlapping a labelled box at IoU ≥ 0.3 (not the labelled
   * boxes themselves): which row each is, and the corrections to its labelled box (4 a row, boxDeltas).
   */
  box: { rows: Uint32Array; targets: Float32Array };
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
 * The box regressor's: as the classifier's but 64 hidden units and 20 epochs (32 and 10 until the
 * twenty-sixth session; on the weapons, with five views' rows, 64 and 20 together placed the boxes
 * better on both splits, either alone did not: docs/weapons.md, "The box regressor's size").
 */
export const DEFAULT_BOX_TRAINING: VerifierTraining = { hidden: 64, epochs: 20, batch: 256, lr: 1e-3, weightDecay: 1e-4, seed: 1 };

/** The corrections that turn `box` into `truth` (verifier.ts' refineBox undoes them). */
export function boxDeltas(box: Box, truth: Box): [number, number, number, number] {
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  const tw = truth[2] - truth[0];
  const th = truth[3] - truth[1];
  return [((truth[0] + truth[2]) / 2 - (box[0] + box[2]) / 2) / w, ((truth[1] + truth[3]) / 2 - (box[1] + box[3]) / 2) / h, Math.log(tw / w), Math.log(th / h)];
}

/**
 * The verifier's training rows: for each photo, the merged detector's candidates of the trained
 * classes (right or wrong, as it will see them) and each labelled box itself, cropped and pooled.
 * Cached in shards under `dir` (float16: the weapons' rows are 6 GB as float32, 3 GB on disk),
 * so a stopped run resumes; then read into one array, which is the command's largest.
 */
export async function verifierSamples(
  merged: Uint8Array,
  centernet: Uint8Array,
  images: YoloImage[],
  o: { classes: number; baseClasses: number; threads?: number; dir: string; stop: () => void; onImage?: (done: number) => void },
): Promise<VerifierSamples> {
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  const dim = verifierInputs(o.classes + 1).all;
  const shards = Array.from({ length: Math.ceil(images.length / SHARD_IMAGES) }, (_, s) => join(o.dir, `verifier-${String(s).padStart(4, '0')}.bin`));
  // One-thread sessions with `threads` photos in flight: on two cores 1.3× (the weapons' whole phase)
  // to 1.8× (a pilot) the photos a second of one photo on two-thread sessions (a 128×128 crop is too
  // small to split across cores well). The rows are the same either way.
  const inFlight = o.threads ?? 1;
  const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
  let sessions: { det: ort.InferenceSession; feat: ort.InferenceSession } | undefined;
  try {
    for (const [s, path] of shards.entries()) {
      const first = s * SHARD_IMAGES;
      if (existsSync(path)) {
        o.onImage?.(Math.min(images.length, first + SHARD_IMAGES));
        continue;
      }
      sessions ??= { det: await ort.InferenceSession.create(merged, opts), feat: await ort.InferenceSession.create(cropFeatureModel(centernet), opts) };
      const open = sessions;
      let done = first;
      const perImage = await mapLimited(images.slice(first, first + SHARD_IMAGES), inFlight, async (item) => {
        o.stop();
        const r = await imageRows(open, item, o, dim);
        o.onImage?.(++done);
        return r;
      });
      await writeFileAtomic(path, encodeShard(joinRows(perImage), dim) as never);
    }
  } finally {
    await sessions?.det.release();
    await sessions?.feat.release();
  }
  return readShards(shards, dim);
}

/** The shards' rows in one array, each shard read straight into its place (no second copy of the rows). */
async function readShards(paths: string[], dim: number): Promise<VerifierSamples> {
  const heads = await Promise.all(paths.map(shardHeader));
  const count = heads.reduce((n, h) => n + h.rows, 0);
  const boxCount = heads.reduce((n, h) => n + h.boxRows, 0);
  const x = new Float32Array(count * dim);
  const y = new Uint8Array(count);
  const box = { rows: new Uint32Array(boxCount), targets: new Float32Array(boxCount * 4) };
  let at = 0;
  let boxAt = 0;
  for (const path of paths) {
    const part = decodeShard(await readFile(path), dim, x.subarray(at * dim));
    y.set(part.y, at);
    box.rows.set(
      part.boxRows.map((r) => r + at),
      boxAt,
    );
    box.targets.set(part.targets, boxAt * 4);
    at += part.y.length;
    boxAt += part.boxRows.length;
  }
  return { x, y, dim, count, box };
}

/** A shard's rows as they are gathered: crop rows, their targets, and the box regressor's rows. */
interface ShardRows {
  x: Float32Array[];
  y: number[];
  boxRows: number[];
  targets: number[];
}

/** Photos' rows in their order (a box row's index counted from the first photo's first row). */
function joinRows(parts: ShardRows[]): ShardRows {
  const rows: ShardRows = { x: [], y: [], boxRows: [], targets: [] };
  for (const p of parts) {
    const at = rows.x.length;
    rows.x.push(...p.x);
    rows.y.push(...p.y);
    rows.boxRows.push(...p.boxRows.map((r) => r + at));
    rows.targets.push(...p.targets);
  }
  return rows;
}

/**
 * One training photo's rows: the detector's candidates on each of its views, as Argus looks at it
 * (a small photo five times: centernet.ts' photoViews; each view's boxes err their own way, the
 * mirrored view's labelled boxes mirrored with it), then its labelled boxes.
 */
async function imageRows(
  sessions: { det: ort.InferenceSession; feat: ort.InferenceSession },
  item: YoloImage,
  o: { classes: number; baseClasses: number },
  dim: number,
): Promise<ShardRows> {
  const rows: ShardRows = { x: [], y: [], boxRows: [], targets: [] };
  const img = await loadImage(item.image);
  const truth = item.boxes.map((b) => ({
    cls: b.cls,
    box: [(b.cx - b.w / 2) * img.width, (b.cy - b.h / 2) * img.height, (b.cx + b.w / 2) * img.width, (b.cy + b.h / 2) * img.height] as Box,
  }));
  const looks: { pic: RgbImage; truth: typeof truth; boxes: { cls: number; box: Box }[]; found: boolean }[] = [];
  for (const v of photoViews(img, inputShape(sessions.det), [EVAL_SIZE, EVAL_SIZE], true)) {
    const pic = v.mirror ? flipHorizontal(img) : img;
    const seen = v.mirror ? truth.map((t) => ({ cls: t.cls, box: unflipBox(t.box, img.width) })) : truth;
    looks.push({ pic, truth: seen, boxes: await candidates(sessions.det, pic, v.size, o.baseClasses, o.classes), found: true });
  }
  looks.push({ pic: img, truth, boxes: truth, found: false });
  for (const look of looks)
    for (const c of look.boxes) {
      const t = await cropTensor(look.pic, c.box, VERIFIER_CROP);
      const out = await sessions.feat.run({ [CENTERNET_TENSORS.input]: new ort.Tensor('float32', t.data, [1, VERIFIER_CROP, VERIFIER_CROP, 3]) }, [POOLED, PROFILES]);
      const row = new Float32Array(dim);
      row.set(out[POOLED].data as Float32Array);
      row.set(out[PROFILES].data as Float32Array, POOLED_FEATURES);
      row.set(verifierExtras(c.box, img.width, img.height, c.cls, o.classes), POOLED_FEATURES + PROFILE_FEATURES);
      row.set(boxPlace(c.box, img.width, img.height), dim - PLACE_VALUES);
      const nearest = look.found ? closest(c.box, look.truth) : undefined;
      if (nearest && nearest.iou >= REGRESS_IOU) {
        rows.boxRows.push(rows.x.length);
        rows.targets.push(...boxDeltas(c.box, nearest.box));
      }
      rows.x.push(row);
      rows.y.push(target(c.box, look.truth));
    }
  return rows;
}

/** The merged detector's trained-class detections on a photo, as the verifier will be asked about them. */
async function candidates(det: ort.InferenceSession, img: RgbImage, [w, h]: [number, number], baseClasses: number, classes: number): Promise<{ cls: number; box: Box }[]> {
  const lb = await letterboxTensor(img, w, h, 0, { layout: 'nhwc' });
  const out = await det.run({ [CENTERNET_TENSORS.input]: new ort.Tensor('float32', lb.data, [1, h, w, 3]) }, ['tower_0/detections']);
  const labels = Array.from({ length: baseClasses + classes }, (_, i) => String(i));
  return decodeCenterNet(out['tower_0/detections'].data as Float32Array, { labels, minScore: CANDIDATE_FLOOR, scale: lb.scale, padX: lb.padX, padY: lb.padY, picture: img })
    .filter((d) => Number(d.label) >= baseClasses)
    .slice(0, CANDIDATES)
    .map((d) => ({ cls: Number(d.label) - baseClasses, box: d.box }));
}

/** The detector's input dims ([1, h, w, 3], -1 where free), for photoViews. */
function inputShape(det: ort.InferenceSession): number[] {
  const meta = det.inputMetadata[0];
  return meta?.isTensor ? meta.shape.map((d) => (typeof d === 'number' ? d : -1)) : [];
}

/** The labelled box `box` overlaps most, and how much. */
function closest(box: Box, truth: { box: Box }[]): { box: Box; iou: number } | undefined {
  let best: { box: Box; iou: number } | undefined;
  for (const t of truth) {
    const o = iou(box, t.box);
    if (o > (best?.iou ?? 0)) best = { box: t.box, iou: o };
  }
  return best;
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

const bytes = (a: Uint16Array | Uint32Array | Uint8Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Rows and box rows (counts), then the rows as float16, their targets, the box rows' indices and their corrections. */
function encodeShard(p: ShardRows, dim: number): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(p.y.length, 0);
  header.writeUInt32LE(p.boxRows.length, 4);
  const half = new Uint16Array(p.x.length * dim);
  for (const [i, row] of p.x.entries()) for (let d = 0; d < dim; d++) half[i * dim + d] = toHalf(row[d]);
  return Buffer.concat([header, bytes(half), bytes(Uint8Array.from(p.y)), bytes(Uint32Array.from(p.boxRows)), bytes(Float32Array.from(p.targets))]);
}

async function shardHeader(path: string): Promise<{ rows: number; boxRows: number }> {
  const file = await open(path);
  try {
    const { buffer } = await file.read(Buffer.alloc(8), 0, 8, 0);
    return { rows: buffer.readUInt32LE(0), boxRows: buffer.readUInt32LE(4) };
  } finally {
    await file.close();
  }
}

/** A shard: its rows decoded into `x` (from its start), the rest returned. */
function decodeShard(buf: Buffer, dim: number, x: Float32Array): { y: Uint8Array; boxRows: Uint32Array; targets: Float32Array } {
  const n = buf.readUInt32LE(0);
  const m = buf.readUInt32LE(4);
  const sizes = [n * dim * 2, n, m * 4, m * 16];
  if (buf.length !== 8 + sizes.reduce((a, b) => a + b, 0)) throw new Error('verifier cache shard does not match; delete the work folder');
  let at = 8;
  const take = (size: number) => {
    const out = new Uint8Array(size);
    out.set(buf.subarray(at, at + size));
    at += size;
    return out.buffer;
  };
  const half = new Uint16Array(take(sizes[0]));
  for (let i = 0; i < half.length; i++) x[i] = HALF_TABLE[half[i]];
  return { y: new Uint8Array(take(sizes[1])), boxRows: new Uint32Array(take(sizes[2])), targets: new Float32Array(take(sizes[3])) };
}

/**
 * Trains the verifier: standardised inputs → `hidden` ReLU → softmax over none and the classes,
 * cross-entropy, Adam with cosine decay and weight decay, fixed seed. A few epochs: it overfits
 * the training crops soon after (measured: the valid loss rises from epoch 5). Then, where the
 * samples have box rows, its box regressor, on the same inputs.
 *
 * Reading the profiles and the box's place as well as the pooled features (as the box regressor
 * always has): AP@0.5 +0.01 pistol, +0.02 knife on both weapon splits (docs/weapons.md, "The
 * classifier reads what the box regressor reads"). `s.x` is standardised where it lies: it is
 * the command's largest array, and a copy would double it.
 */
export async function trainVerifier(
  s: VerifierSamples,
  classes: number,
  t: VerifierTraining = DEFAULT_VERIFIER_TRAINING,
  onEpoch?: (epoch: number, loss: number) => void,
  box?: { training?: VerifierTraining; onEpoch?: (epoch: number, loss: number) => void },
): Promise<ExportedVerifier> {
  const scale = standardiseInPlace(s.x, s.dim, s.count);
  const random = seededRandom(t.seed);
  const net = await trainLayers(new Layers(s.dim, t.hidden, classes + 1, 'softmax', random), random, s.x, s.y, s.count, t, onEpoch);
  const verifier: ExportedVerifier = net.export(scale.mean, scale.inv);
  if (box && s.box.rows.length > 0) verifier.box = await boxRegressor(s, scale, box.training, box.onEpoch);
  return verifier;
}

/** The box regressor alone (trainVerifier trains it after the classifier); `s.x` standardised in place as there. */
export async function trainBoxRegressor(s: VerifierSamples, t: VerifierTraining = DEFAULT_BOX_TRAINING, onEpoch?: (epoch: number, loss: number) => void): Promise<ExportedLayers> {
  return boxRegressor(s, standardiseInPlace(s.x, s.dim, s.count), t, onEpoch);
}

/**
 * The box regressor: from a candidate's standardised row (`scale` undoes it when exported) to the
 * corrections of its box (boxDeltas), standardised, smooth L1, otherwise trained as the classifier.
 */
async function boxRegressor(
  s: VerifierSamples,
  scale: { mean: Float64Array; inv: Float32Array },
  t: VerifierTraining = DEFAULT_BOX_TRAINING,
  onEpoch?: (epoch: number, loss: number) => void,
): Promise<ExportedLayers> {
  const { rows, targets } = s.box;
  const n = rows.length;
  const x = new Float32Array(n * s.dim);
  for (let k = 0; k < n; k++) x.set(s.x.subarray(rows[k] * s.dim, (rows[k] + 1) * s.dim), k * s.dim);
  const out = Float32Array.from(targets);
  const outScale = standardiseInPlace(out, 4, n);
  const random = seededRandom(t.seed);
  const net = await trainLayers(new Layers(s.dim, t.hidden, 4, 'smoothL1', random), random, x, out, n, t, onEpoch);
  return net.export(scale.mean, scale.inv, outScale);
}

/** Epochs of shuffled batches (shuffled by `random`, which drew the initial weights), the learning rate on a cosine. */
async function trainLayers(
  net: Layers,
  random: () => number,
  x: Float32Array,
  y: Uint8Array | Float32Array,
  count: number,
  t: VerifierTraining,
  onEpoch?: (epoch: number, loss: number) => void,
): Promise<Layers> {
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  const steps = Math.ceil(count / t.batch);
  const passes = await DensePasses.create({ dim: net.D, hidden: net.H, outputs: net.C, standardise: false });
  const batch = new Float32Array(Math.min(count, t.batch) * net.D);
  try {
    for (let e = 0; e < t.epochs; e++) {
      shuffle(order, random);
      let loss = 0;
      for (let b = 0; b < steps; b++) {
        const lr = t.lr * 0.5 * (1 + Math.cos((Math.PI * (e * steps + b)) / (t.epochs * steps)));
        loss += await net.step(passes, batch, x, y, order.subarray(b * t.batch, Math.min(count, (b + 1) * t.batch)), lr, t.weightDecay);
      }
      onEpoch?.(e + 1, loss / count);
    }
  } finally {
    await passes.release();
  }
  return net;
}

/** Each of `D` columns of `x` (n rows) to mean 0 and variance 1, in place; the mean and 1/σ kept, to fold into the exported layers. */
function standardiseInPlace(x: Float32Array, D: number, n: number): { mean: Float64Array; inv: Float32Array } {
  const mean = new Float64Array(D);
  const varc = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let d = 0, o = i * D; d < D; d++) mean[d] += x[o + d];
  for (let d = 0; d < D; d++) mean[d] /= n;
  for (let i = 0; i < n; i++)
    for (let d = 0, o = i * D; d < D; d++) {
      const v = x[o + d] - mean[d];
      varc[d] += v * v;
    }
  const inv = Float32Array.from(varc, (v) => 1 / Math.sqrt(v / n + 1e-6));
  for (let i = 0; i < n; i++) for (let d = 0, o = i * D; d < D; d++) x[o + d] = (x[o + d] - mean[d]) * inv[d];
  return { mean, inv };
}

/** Two dense layers, trained a batch at a time with Adam (the products on onnxruntime: dense-passes.ts): softmax and cross-entropy, or linear outputs and smooth L1. */
class Layers {
  readonly w1: Float32Array; // [H, D]
  readonly b1: Float32Array;
  readonly w2: Float32Array; // [C, H]
  readonly b2: Float32Array;
  private readonly params: Float32Array[];
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(
    readonly D: number,
    readonly H: number,
    readonly C: number,
    private readonly loss: 'softmax' | 'smoothL1',
    random: () => number,
  ) {
    const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
    this.w1 = Float32Array.from({ length: H * D }, () => gauss() * Math.sqrt(2 / D));
    this.b1 = new Float32Array(H);
    this.w2 = Float32Array.from({ length: C * H }, () => gauss() * Math.sqrt(1 / H));
    this.b2 = new Float32Array(C);
    this.params = [this.w1, this.b1, this.w2, this.b2];
    this.m = this.params.map((q) => new Float32Array(q.length));
    this.v = this.params.map((q) => new Float32Array(q.length));
  }

  /** One batch (rows of x by index, gathered into `batch`): gradients, then an Adam step; returns the summed loss. */
  async step(passes: DensePasses, batch: Float32Array, x: Float32Array, y: Uint8Array | Float32Array, rows: Uint32Array, lr: number, weightDecay: number): Promise<number> {
    const { D, C } = this;
    const n = rows.length;
    for (let k = 0; k < n; k++) batch.set(x.subarray(rows[k] * D, (rows[k] + 1) * D), k * D);
    const { z, h } = await passes.forward(batch, n, this);
    const dz = new Float32Array(n * C);
    let loss = 0;
    for (let k = 0; k < n; k++) loss += this.outputGradients(z, dz, k * C, y, rows[k]);
    const g = await passes.gradients(batch, n, this, h, dz);
    const grads = [g.gw1, g.gb1, g.gw2, g.gb2];
    this.t++;
    for (let q = 0; q < this.params.length; q++) adam(this.params[q], grads[q], this.m[q], this.v[q], n, q % 2 === 0 ? weightDecay : 0, lr, this.t);
    return loss;
  }

  /** Row i's loss from its outputs z[o..o+C), and into dz[o..o+C) its derivative by each. */
  private outputGradients(z: Float32Array, dz: Float32Array, o: number, y: Uint8Array | Float32Array, i: number): number {
    const { C } = this;
    if (this.loss === 'smoothL1') {
      let loss = 0;
      for (let c = 0; c < C; c++) {
        const d = z[o + c] - y[i * C + c];
        loss += Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
        dz[o + c] = Math.max(-1, Math.min(1, d));
      }
      return loss;
    }
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, z[o + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[o + c] - max);
    let loss = 0;
    for (let c = 0; c < C; c++) {
      const p = Math.exp(z[o + c] - max) / sum;
      if (c === y[i]) loss = -Math.log(p + 1e-9);
      dz[o + c] = p - (c === y[i] ? 1 : 0);
    }
    return loss;
  }

  /**
   * The standardisation folded into the first layer (the merged graph reads raw pooled features)
   * and, for standardised targets, undone in the second.
   */
  export(mean: Float64Array, inv: Float32Array, out?: { mean: Float64Array; inv: Float32Array }): ExportedLayers {
    const { D, H, C } = this;
    const w1 = new Float32Array(H * D);
    const b1 = Float32Array.from(this.b1);
    for (let j = 0; j < H; j++)
      for (let d = 0; d < D; d++) {
        w1[j * D + d] = this.w1[j * D + d] * inv[d];
        b1[j] -= this.w1[j * D + d] * inv[d] * mean[d];
      }
    const w2 = Float32Array.from(this.w2);
    const b2 = Float32Array.from(this.b2);
    if (out)
      for (let c = 0; c < C; c++) {
        for (let j = 0; j < H; j++) w2[c * H + j] /= out.inv[c];
        b2[c] = b2[c] / out.inv[c] + out.mean[c];
      }
    return { dim: D, hidden: H, outputs: C, w1, b1, w2, b2 };
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
