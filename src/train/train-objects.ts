import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { verifierModel } from '../convert/crop-verifier.js';
import { mergeHead, replacedChannels } from '../convert/merge-head.js';
import { atThreshold, thresholdForPrecision } from './average-precision.js';
import { evaluateMerged, EVAL_SIZE } from './evaluate.js';
import { type FeatureSet, featureChannels } from './feature-model.js';
import { BOX_VALUES, concatSamples, DEFAULT_SAMPLING, emptySamples, FeatureExtractor, sampleImage, type CellSamples, type SamplingOptions } from './features.js';
import { type ExportedHead, exportHead, featureStats, HeadTrainer, initAdam, initHead, type BoxLoss, type HeadParams } from './head.js';
import { headFromFile, headToFile, readHeadFile, verifierToFile, writeFileAtomic, type ClassReport } from './head-file.js';
import { seededRandom, shuffle } from './rng.js';
import { DEFAULT_BOX_TRAINING, DEFAULT_VERIFIER_TRAINING, trainVerifier, verifierSamples } from './verifier.js';
import { DatasetError, readYoloSplit, type YoloImage } from './yolo-dataset.js';

export interface TrainOptions {
  data: string;
  classes?: string[];
  /** Says what is wrong with the data's classes before any work starts (a name the shipped head has), if anything. */
  refuseClasses?: (classes: readonly string[]) => string | undefined;
  /** The head file written at the end (write-then-rename). */
  out: string;
  /** Feature cache and checkpoints; a run with the same settings resumes from them. */
  workDir: string;
  centernet: Uint8Array;
  /** COCO-80 labels of the base model: a trained class of the same name replaces that channel. */
  baseLabels: readonly string[];
  seed?: number;
  epochs?: number;
  hidden?: number;
  /** What the head reads (default `deep`; feature-model.ts). */
  features?: FeatureSet;
  /** Also learn box corrections for the new classes (default true). */
  boxes?: boolean;
  /** How they learn (default `l1`; head.ts). */
  boxLoss?: BoxLoss;
  batch?: number;
  lr?: number;
  sampling?: SamplingOptions;
  /** Use only the first n images of a split (a quick trial). */
  limitTrain?: number;
  limitValid?: number;
  threads?: number;
  /** Also train the classes' verifier (a second look at each candidate's crop; default true). */
  verifier?: boolean;
  /**
   * A head file whose head is kept as it is: only its verifier is trained (again), e.g. after an
   * Argus update changed how the verifier learns. Its classes must be the data's.
   */
  keepHead?: string;
  /** Precision the per-class threshold is chosen for on the valid split. */
  thresholdPrecision?: number;
  command?: string;
  onProgress?: (p: TrainProgress) => void;
  onLog?: (line: string) => void;
  /** Checked between steps: true stops with TrainInterrupted, the checkpoint kept. */
  shouldStop?: () => boolean;
}

export interface TrainProgress {
  phase: 'features' | 'train' | 'evaluate' | 'verifier';
  done: number;
  total: number;
  loss?: number;
}

export interface TrainResult {
  out: string;
  classes: string[];
  reports: Record<string, ClassReport>;
  losses: number[];
  samples: number;
  seconds: number;
  peakRssMB: number;
}

export class TrainInterrupted extends Error {
  readonly code = 'interrupted';
}

const SHARD_IMAGES = 200;

export async function trainObjects(opts: TrainOptions): Promise<TrainResult> {
  const t0 = Date.now();
  let peakRss = process.memoryUsage().rss;
  const sampleRss = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const log = opts.onLog ?? (() => {});
  const stop = (): void => {
    if (opts.shouldStop?.()) throw new TrainInterrupted('training interrupted; run the same command again to resume');
  };
  const seed = opts.seed ?? 1;
  const epochs = opts.epochs ?? 10;
  const hidden = opts.hidden ?? 32;
  const boxes = opts.boxes ?? true;
  const batch = opts.batch ?? 512;
  const lr = opts.lr ?? 2e-3;
  const sampling = opts.sampling ?? DEFAULT_SAMPLING;
  const features = opts.features ?? 'deep';
  const dim = featureChannels(features);

  const train = await readYoloSplit(opts.data, 'train', opts.classes);
  const valid = await readYoloSplit(opts.data, 'valid', opts.classes);
  const classes = train.classes;
  const refused = opts.refuseClasses?.(classes);
  if (refused) throw new DatasetError(refused);
  const trainImages = spread(train.images, opts.limitTrain);
  const validImages = spread(valid.images, opts.limitValid);
  log(
    `data ${opts.data}: classes ${classes.join(', ')}; train ${trainImages.length} images (${count(trainImages)} boxes), valid ${validImages.length} (${count(validImages)} boxes); ${train.converted + valid.converted} polygon lines used as boxes${background(train.unlabelled + valid.unlabelled)}`,
  );

  async function trainNewHead(): Promise<{ head: ExportedHead; losses: number[]; samples: number; training: Record<string, unknown> }> {
    // The cache is only reused for the same data, base model and sampling (v4: the 512 view at the picture's aspect).
    const key = createHash('sha256')
      .update(JSON.stringify({ data: opts.data, classes, n: trainImages.length, sampling, seed, features, v: 4 }))
      .update(opts.centernet)
      .digest('hex')
      .slice(0, 16);
    const featDir = join(opts.workDir, `features-${key}`);
    await mkdir(featDir, { recursive: true, mode: 0o700 });
    const samples = await extractAll(opts, trainImages, classes.length, { sampling, features, seed }, featDir, stop, sampleRss, log);
    sampleRss();

    const boxLoss = opts.boxLoss ?? 'l1';
    const ckptPath = join(opts.workDir, `checkpoint-${key}-${features}-h${hidden}${boxes ? `b-${boxLoss}` : ''}-e${epochs}-b${batch}-lr${lr}.json`);
    const { head, losses } = await trainHead(samples, {
      dim,
      classes: classes.length,
      hidden,
      boxes,
      boxLoss,
      epochs,
      batch,
      lr,
      seed,
      ckptPath,
      stop,
      sampleRss,
      log,
      onProgress: opts.onProgress,
    });
    return {
      head: exportHead(head),
      losses,
      samples: samples.count,
      training: {
        command: opts.command,
        data: opts.data,
        trainImages: trainImages.length,
        seed,
        epochs,
        hidden,
        features,
        boxes,
        boxLoss,
        batch,
        lr,
        sampling,
        samples: samples.count,
        finalLoss: losses[losses.length - 1],
      },
    };
  }
  const kept = opts.keepHead === undefined ? undefined : await keptHead(opts.keepHead, classes, opts.verifier);
  const trained = kept ?? (await trainNewHead());
  const exported = trained.head;
  const losses = trained.losses;
  const merged = mergeHead(opts.centernet, exported, { suppress: replacedChannels(opts.baseLabels, classes) });
  const evaluate = async (verifier?: Uint8Array): Promise<Record<string, ClassReport>> => {
    opts.onProgress?.({ phase: 'evaluate', done: 0, total: validImages.length });
    const { curves } = await evaluateMerged(merged, validImages, classes, {
      baseClasses: opts.baseLabels.length,
      threads: opts.threads,
      shouldStop: opts.shouldStop,
      verifier,
      onImage: (done) => opts.onProgress?.({ phase: 'evaluate', done, total: validImages.length }),
    }).catch((err: unknown) => {
      if (opts.shouldStop?.()) throw new TrainInterrupted('training interrupted during evaluation; run the same command again to resume');
      throw err;
    });
    sampleRss();
    const reports: Record<string, ClassReport> = {};
    for (const [c, curve] of curves.entries()) {
      const threshold = Math.floor(thresholdForPrecision(curve, opts.thresholdPrecision ?? 0.9) * 1000) / 1000; // floor: the boundary detection stays in
      const pr = atThreshold(curve, threshold);
      reports[classes[c]] = { ap50: round(curve.ap), threshold, precision: round(pr.precision), recall: round(pr.recall), boxes: curve.boxes };
      log(
        `valid ${classes[c]}${verifier ? ', verified' : ''}: AP@0.5 ${curve.ap.toFixed(3)} (${curve.boxes} boxes); at ${threshold}: precision ${pr.precision.toFixed(3)}, recall ${pr.recall.toFixed(3)}`,
      );
    }
    return reports;
  };
  const headReports = await evaluate();
  let reports = headReports;
  let verifier: Awaited<ReturnType<typeof trainVerifier>> | undefined;
  if (opts.verifier ?? true) {
    // Its cache belongs to this head: a retrained head sees other candidates.
    const headKey = createHash('sha256').update(merged).digest('hex').slice(0, 16);
    const started = Date.now();
    const vs = await verifierSamples(merged, opts.centernet, trainImages, {
      classes: classes.length,
      baseClasses: opts.baseLabels.length,
      threads: opts.threads,
      // verifier6: every row holds its profiles and place, as float16 (verifier5 rows held the pooled
      // features alone, the box rows' profiles beside them); from each of a photo's five views
      dir: join(opts.workDir, `verifier6-${headKey}`),
      stop,
      onImage: (done) => opts.onProgress?.({ phase: 'verifier', done, total: trainImages.length }),
    });
    sampleRss();
    const counts = classes.map((_, c) => vs.y.reduce((n, y) => n + (y === c + 1 ? 1 : 0), 0));
    log(
      `verifier: ${vs.count} crops (${classes.map((c, i) => `${counts[i]} ${c}`).join(', ')}, ${vs.count - counts.reduce((a, b) => a + b, 0)} none; ${vs.box.rows.length} to correct boxes from) from ${trainImages.length} images in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    stop();
    verifier = await trainVerifier(
      vs,
      classes.length,
      DEFAULT_VERIFIER_TRAINING,
      (e, loss) => log(`verifier epoch ${e}/${DEFAULT_VERIFIER_TRAINING.epochs}: loss ${loss.toFixed(4)}`),
      {
        training: DEFAULT_BOX_TRAINING,
        onEpoch: (e, loss) => log(`box regressor epoch ${e}/${DEFAULT_BOX_TRAINING.epochs}: loss ${loss.toFixed(4)}`),
      },
    );
    reports = await evaluate(verifierModel(opts.centernet, verifier));
  }
  const seconds = Math.round((Date.now() - t0) / 1000);
  const peakRssMB = Math.round(peakRss / 2 ** 20);
  const file = headToFile(exported, classes, {
    training: {
      // a kept head keeps the record of its own training; this run's is under `verifierOnly`
      ...trained.training,
      ...(verifier ? { headValid: headReports, verifier: DEFAULT_VERIFIER_TRAINING, ...(verifier.box ? { verifierBox: DEFAULT_BOX_TRAINING } : {}) } : {}),
      ...(kept ? { verifierOnly: { command: opts.command, seconds, peakRssMB } } : { seconds, peakRssMB }),
    },
    valid: { images: validImages.length, inputSize: EVAL_SIZE, classes: reports },
    ...(verifier ? { verifier: verifierToFile(verifier) } : {}),
  });
  stop();
  await writeFileAtomic(opts.out, `${JSON.stringify(file)}\n`);
  return { out: opts.out, classes, reports, losses, samples: trained.samples, seconds, peakRssMB };
}

/** The head of an earlier head file, to train its verifier again (`keepHead`). */
async function keptHead(
  path: string,
  classes: string[],
  verifier: boolean | undefined,
): Promise<{ head: ExportedHead; losses: number[]; samples: number; training: Record<string, unknown> }> {
  if (verifier === false) throw new Error('a kept head (--head) is for training its verifier: leave --verifier on');
  const file = await readHeadFile(path);
  if (file.classes.join(',') !== classes.join(','))
    throw new Error(`${path} was trained on ${file.classes.join(', ')}, but the data's classes are ${classes.join(', ')}: give --classes ${file.classes.join(',')}`);
  const training = file.training ?? {};
  return { head: headFromFile(file, path), losses: [], samples: typeof training.samples === 'number' ? training.samples : 0, training };
}

/** `n` images spread evenly over the split (files sort by source, so the first n are one kind). */
function spread<T>(items: T[], n?: number): T[] {
  if (n === undefined || n >= items.length) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

function count(images: YoloImage[]): number {
  return images.reduce((s, i) => s + i.boxes.length, 0);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Runs the backbone once per image and view; shards of SHARD_IMAGES images are cached, so a rerun resumes. */
async function extractAll(
  opts: TrainOptions,
  images: YoloImage[],
  classes: number,
  { sampling, features, seed }: { sampling: SamplingOptions; features: FeatureSet; seed: number },
  dir: string,
  stop: () => void,
  sampleRss: () => void,
  log: (l: string) => void,
): Promise<CellSamples> {
  const shards = Math.ceil(images.length / SHARD_IMAGES);
  const dim = featureChannels(features);
  const paths = Array.from({ length: shards }, (_, s) => join(dir, `shard-${String(s).padStart(4, '0')}.bin`));
  let extractor: FeatureExtractor | undefined;
  const started = Date.now();
  try {
    for (let s = 0; s < shards; s++) {
      opts.onProgress?.({ phase: 'features', done: s * SHARD_IMAGES, total: images.length });
      if (existsSync(paths[s])) continue;
      extractor ??= await FeatureExtractor.create(opts.centernet, [...sampling.views, ...(sampling.mosaic ? [512] : [])], opts.threads ?? 1, features);
      // Each shard has its own generator: a resumed run samples exactly what an unbroken one would.
      const random = seededRandom(seed * 100_003 + s);
      const chunk: CellSamples[] = [];
      const end = Math.min(images.length, (s + 1) * SHARD_IMAGES);
      for (let i = s * SHARD_IMAGES; i < end; i++) {
        stop();
        chunk.push(await sampleImage(extractor, images[i], classes, sampling, random, images));
        opts.onProgress?.({ phase: 'features', done: i + 1, total: images.length });
      }
      await writeFileAtomic(paths[s], encodeShard(concatSamples(chunk, classes, dim)) as never);
      sampleRss();
    }
  } finally {
    await extractor?.close();
  }
  // Read back into one allocation: every shard held in memory and then joined would need twice the cache.
  const counts = await Promise.all(paths.map(async (p) => shardCount(p)));
  const all = emptySamples(
    counts.reduce((a, b) => a + b, 0),
    classes,
    dim,
  );
  let at = 0;
  for (const p of paths) {
    at += readShardInto(await readFile(p), all, at, classes);
    sampleRss();
  }
  log(
    `features: ${all.count} cells from ${images.length} images × ${sampling.views.length + (sampling.mosaic ? 1 : 0)} views (${(all.x.byteLength / 2 ** 20).toFixed(0)} MB float16) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return all;
}

/** The cell count in a shard's header. */
async function shardCount(path: string): Promise<number> {
  const f = await open(path, 'r');
  try {
    const header = Buffer.alloc(4);
    await f.read(header, 0, 4, 0);
    return header.readUInt32LE(0);
  } finally {
    await f.close();
  }
}

function encodeShard(s: CellSamples): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(s.count, 0);
  header.writeUInt32LE(s.dim, 4);
  const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([header, bytes(s.x), bytes(s.y), bytes(s.w), bytes(s.r)]);
}

/** Copies a shard's cells into `into` from cell `at`; returns how many. */
function readShardInto(buf: Buffer, into: CellSamples, at: number, classes: number): number {
  const count = buf.readUInt32LE(0);
  const dim = buf.readUInt32LE(4);
  const xBytes = count * dim * 2;
  const yBytes = count * classes * 4;
  const rBytes = count * BOX_VALUES * 4;
  if (dim !== into.dim || buf.length !== 8 + xBytes + yBytes + count * 4 + rBytes || at + count > into.count)
    throw new Error('feature cache shard does not match; delete the work folder');
  // byte copies straight into the arrays (the shard's offsets need not be aligned for typed views)
  const copy = (target: Uint16Array | Float32Array, index: number, from: number, bytes: number): void =>
    new Uint8Array(target.buffer, target.byteOffset + index * target.BYTES_PER_ELEMENT, bytes).set(buf.subarray(from, from + bytes));
  copy(into.x, at * dim, 8, xBytes);
  copy(into.y, at * classes, 8 + xBytes, yBytes);
  copy(into.w, at, 8 + xBytes + yBytes, count * 4);
  copy(into.r, at * BOX_VALUES, 8 + xBytes + yBytes + count * 4, rBytes);
  return count;
}

interface Checkpoint {
  epoch: number;
  losses: number[];
  head: Record<string, number[] | number | boolean>;
  adam: { step: number; m: number[][]; v: number[][] };
}

async function trainHead(
  samples: CellSamples,
  o: {
    dim: number;
    classes: number;
    hidden: number;
    boxes: boolean;
    boxLoss: BoxLoss;
    epochs: number;
    batch: number;
    lr: number;
    seed: number;
    ckptPath: string;
    stop: () => void;
    sampleRss: () => void;
    log: (l: string) => void;
    onProgress?: (p: TrainProgress) => void;
  },
): Promise<{ head: HeadParams; losses: number[] }> {
  let head = initHead(o.dim, o.hidden, o.classes, o.boxes, seededRandom(o.seed), featureStats(samples, o.dim));
  let adam = initAdam(head);
  let losses: number[] = [];
  let start = 0;
  if (existsSync(o.ckptPath)) {
    const ck = JSON.parse(await readFile(o.ckptPath, 'utf8')) as Checkpoint;
    head = restoreHead(ck.head);
    adam = { step: ck.adam.step, m: ck.adam.m.map((a) => Float32Array.from(a)), v: ck.adam.v.map((a) => Float32Array.from(a)) };
    losses = ck.losses;
    start = ck.epoch;
    o.log(`resumed from ${o.ckptPath} after epoch ${start}`);
  }
  let positives = 0;
  for (let i = 0; i < samples.y.length; i++) if (samples.y[i] >= 1) positives++;
  const trainer = await HeadTrainer.create(head, adam, o.batch, o.boxLoss);
  const idx = new Uint32Array(samples.count);
  const perBatchPositives = Math.max(1, (positives / samples.count) * o.batch);
  const steps = Math.ceil(samples.count / o.batch);
  try {
    for (let epoch = start; epoch < o.epochs; epoch++) {
      for (let i = 0; i < idx.length; i++) idx[i] = i;
      shuffle(idx, seededRandom(o.seed * 7919 + epoch));
      let sum = 0;
      const t = Date.now();
      for (let b = 0; b < steps; b++) {
        o.stop();
        // cosine decay over the whole run
        const progress = (epoch * steps + b) / (o.epochs * steps);
        const lr = o.lr * 0.5 * (1 + Math.cos(Math.PI * progress));
        sum += await trainer.step(samples, idx, b * o.batch, Math.min(samples.count, (b + 1) * o.batch), perBatchPositives, lr);
        if (b % 20 === 0) o.onProgress?.({ phase: 'train', done: epoch * steps + b, total: o.epochs * steps, loss: sum / (b + 1) });
      }
      const loss = sum / steps;
      losses.push(loss);
      o.log(`epoch ${epoch + 1}/${o.epochs}: loss ${loss.toFixed(4)} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
      o.sampleRss();
      const ck: Checkpoint = {
        epoch: epoch + 1,
        losses,
        head: saveHead(trainer.head),
        adam: { step: trainer.adam.step, m: trainer.adam.m.map((a) => Array.from(a)), v: trainer.adam.v.map((a) => Array.from(a)) },
      };
      await writeFileAtomic(o.ckptPath, JSON.stringify(ck));
    }
  } finally {
    await trainer.release();
  }
  return { head: trainer.head, losses };
}

function saveHead(h: HeadParams): Record<string, number[] | number | boolean> {
  return { dim: h.dim, hidden: h.hidden, classes: h.classes, boxes: h.boxes, mean: [...h.mean], invStd: [...h.invStd], w1: [...h.w1], b1: [...h.b1], w2: [...h.w2], b2: [...h.b2] };
}

function restoreHead(r: Record<string, number[] | number | boolean>): HeadParams {
  const f = (k: string): Float32Array => Float32Array.from(r[k] as number[]);
  return {
    dim: r.dim as number,
    hidden: r.hidden as number,
    classes: r.classes as number,
    boxes: r.boxes as boolean,
    mean: f('mean'),
    invStd: f('invStd'),
    w1: f('w1'),
    b1: f('b1'),
    w2: f('w2'),
    b2: f('b2'),
  };
}

/** Removes the cache and checkpoints of a finished run. */
export async function cleanWork(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const e of await readdir(dir)) if (e.startsWith('features-') || e.startsWith('checkpoint-')) await rm(join(dir, e), { recursive: true, force: true });
}

/** Images without a label file, said so a label folder that lost files does not go unnoticed. */
function background(n: number): string {
  return n ? `; ${n} image${n === 1 ? '' : 's'} without a label file taken as background (nothing to find)` : '';
}
