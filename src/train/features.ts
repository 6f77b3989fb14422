import * as ort from 'onnxruntime-node';
import { frameInputSize } from '../models/centernet.js';
import { flipHorizontal } from '../vision/flip.js';
import { loadImage, type RgbImage } from '../vision/image.js';
import { letterboxTensor, resizeImage } from '../vision/resize.js';
import { CENTERNET_TENSORS, FEATURE_SETS, type FeatureSet, featureChannels, featureModel, STRIDE } from './feature-model.js';
import { toHalf } from './half.js';
import { heatmapTargets, type CellBox } from './targets.js';
import type { YoloImage } from './yolo-dataset.js';

/**
 * Sampled training cells of one image view: features (float16 bits, `dim` a cell),
 * the target heatmap value per class, and a weight that makes the sample stand for the cells of
 * its kind that were not kept (the focal loss sums over every cell of every image).
 */
export interface CellSamples {
  count: number;
  dim: number;
  x: Uint16Array;
  y: Float32Array;
  w: Float32Array;
  /**
   * Per cell 8 values: log of the true box's left, top, right, bottom distances from the cell
   * (input pixels), then the log of what CenterNet's box head says there (the head learns the
   * difference). NaN first at cells that are no box's centre.
   */
  r: Float32Array;
}

export const BOX_VALUES = 8;
/** Box distances are clamped to at least a pixel before the log. */
export const logDistance = (v: number): number => Math.log(Math.max(v, 1));

export interface SamplingOptions {
  /** Input sizes the backbone runs at (the image letterboxed into each; LIVE_VIEW at its own aspect): object scales to learn. */
  views: number[];
  /** Cells kept per view from the cells near a box (target between 0 and 1), and from the rest. */
  nearCells: number;
  negativeCells: number;
  /**
   * Also a 512×512 view of the image in one cell of an n×n mosaic of training photos (n = this,
   * off when absent): objects as small as a camera across a room sees them, among other scenes.
   */
  mosaic?: number;
}

export const DEFAULT_SAMPLING: SamplingOptions = { views: [512, 256], nearCells: 32, negativeCells: 96 };

/**
 * The view at the size live analysis runs the detector at is taken at the picture's own aspect
 * (`frameInputSize`: 512×320 for 16:9), as a camera's frames are; the others, and square
 * pictures, are letterboxed square.
 */
export const LIVE_VIEW = 512;

/** A view's feature maps: its stride-4 cells across and down; per source, its channel planes and its cells per stride-4 cell side. */
export interface FeatureMaps {
  cols: number;
  rows: number;
  sources: { planes: Float32Array[]; ratio: number }[];
}

/** Copies one stride-4 cell's features (every source, coarse ones at the cell they cover) as float16. */
export function writeCell(maps: FeatureMaps, cell: number, out: Uint16Array, base: number): void {
  const x = cell % maps.cols;
  const y = (cell - x) / maps.cols;
  let k = base;
  for (const { planes, ratio } of maps.sources) {
    const at = ratio === 1 ? cell : Math.floor(y / ratio) * (maps.cols / ratio) + Math.floor(x / ratio);
    for (const p of planes) out[k++] = toHalf(p[at]);
  }
}

/** The backbone run for feature extraction, one session per input shape (made on first use). */
export class FeatureExtractor {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  private constructor(
    private readonly centernet: Uint8Array,
    private readonly threads: number,
    readonly set: FeatureSet,
  ) {}

  static async create(centernet: Uint8Array, sizes: number[], threads = 1, set: FeatureSet = 'neck'): Promise<FeatureExtractor> {
    const extractor = new FeatureExtractor(centernet, threads, set);
    // The square views' sessions made now: a graph the cut cannot run fails before any work.
    for (const size of new Set(sizes)) await extractor.session(size, size);
    return extractor;
  }

  get dim(): number {
    return featureChannels(this.set);
  }

  private session(width: number, height: number): Promise<ort.InferenceSession> {
    const key = `${width}x${height}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = ort.InferenceSession.create(featureModel(this.centernet, [width, height], this.set), {
        intraOpNumThreads: this.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      this.sessions.set(key, s);
    }
    return s;
  }

  /** The feature maps and the box head [4][rows × cols] of an image letterboxed into `size` (square) or [width, height]. */
  async run(img: RgbImage, size: number | readonly [number, number]): Promise<{ maps: FeatureMaps; wh: Float32Array; scale: number; padX: number; padY: number }> {
    const [width, height] = typeof size === 'number' ? [size, size] : size;
    const session = await this.session(width, height);
    const lb = await letterboxTensor(img, width, height, 0, { layout: 'nhwc' });
    const out = await session.run({ [CENTERNET_TENSORS.input]: new ort.Tensor('float32', lb.data, [1, height, width, 3]) });
    const [cols, rows] = [width / STRIDE, height / STRIDE];
    const sources = FEATURE_SETS[this.set].map((f) => {
      const data = out[f.tensor].data as Float32Array;
      const plane = (cols / f.ratio) * (rows / f.ratio);
      return { ratio: f.ratio, planes: Array.from({ length: f.channels }, (_, c) => data.subarray(c * plane, (c + 1) * plane)) };
    });
    return { maps: { cols, rows, sources }, wh: out[CENTERNET_TENSORS.wh].data as Float32Array, scale: lb.scale, padX: lb.padX, padY: lb.padY };
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
  }
}

/**
 * `item` in a random cell of an n×n mosaic (512×512) whose other cells hold random `others`, each
 * photo letterboxed into its cell, with every photo's boxes (as fractions of the mosaic).
 */
export async function mosaicView(item: YoloImage, others: readonly YoloImage[], n: number, random: () => number): Promise<{ img: RgbImage; boxes: YoloImage['boxes'] }> {
  const SIZE = 512;
  const cell = Math.floor(SIZE / n);
  const mine = Math.floor(random() * n * n);
  const data = new Uint8Array(SIZE * SIZE * 3);
  const boxes: YoloImage['boxes'] = [];
  for (let k = 0; k < n * n; k++) {
    const photo = k === mine || others.length === 0 ? item : others[Math.floor(random() * others.length)];
    const img = await loadImage(photo.image);
    const scale = Math.min(cell / img.width, cell / img.height);
    const [w, h] = [Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale))];
    const small = await resizeImage(img, w, h);
    const [x0, y0] = [(k % n) * cell + Math.floor((cell - w) / 2), Math.floor(k / n) * cell + Math.floor((cell - h) / 2)];
    for (let y = 0; y < h; y++) data.set(small.data.subarray(y * w * 3, (y + 1) * w * 3), ((y0 + y) * SIZE + x0) * 3);
    for (const b of photo.boxes) boxes.push({ ...b, cx: (x0 + b.cx * w) / SIZE, cy: (y0 + b.cy * h) / SIZE, w: (b.w * w) / SIZE, h: (b.h * h) / SIZE });
  }
  return { img: { width: SIZE, height: SIZE, data }, boxes };
}

/** Runs every view of one labelled image (and its mosaic view, `opts.mosaic`, with `others`) and keeps its sampled cells. */
export async function sampleImage(
  extractor: FeatureExtractor,
  item: YoloImage,
  classes: number,
  opts: SamplingOptions,
  random: () => number,
  others: readonly YoloImage[] = [],
): Promise<CellSamples> {
  const original = await loadImage(item.image);
  const parts: CellSamples[] = [];
  const views: Array<{ size: number; mosaic?: boolean }> = [...opts.views.map((size) => ({ size })), ...(opts.mosaic ? [{ size: 512, mosaic: true }] : [])];
  for (const { size, mosaic } of views) {
    const flip = random() < 0.5;
    const scene = mosaic ? await mosaicView(item, others, opts.mosaic ?? 1, random) : { img: original, boxes: item.boxes };
    const img = flip ? flipHorizontal(scene.img) : scene.img;
    // The live size's view at the picture's own aspect, as a camera frame is seen (models.objects.input `camera`).
    const f = await extractor.run(img, size === LIVE_VIEW && !mosaic ? frameInputSize(img) : size);
    const boxes: CellBox[] = scene.boxes.map((b) => ({
      cls: b.cls,
      cx: ((flip ? 1 - b.cx : b.cx) * img.width * f.scale + f.padX) / STRIDE,
      cy: (b.cy * img.height * f.scale + f.padY) / STRIDE,
      w: (b.w * img.width * f.scale) / STRIDE,
      h: (b.h * img.height * f.scale) / STRIDE,
    }));
    // The box of each centre cell, as distances from the cell's corner (how the decoder reads the box head).
    const centres = new Map<number, [number, number, number, number]>();
    for (const b of boxes) {
      const { cols, rows } = f.maps;
      const x = Math.min(cols - 1, Math.max(0, Math.floor(b.cx)));
      const y = Math.min(rows - 1, Math.max(0, Math.floor(b.cy)));
      centres.set(y * cols + x, [(x - b.cx + b.w / 2) * STRIDE, (y - b.cy + b.h / 2) * STRIDE, (b.cx + b.w / 2 - x) * STRIDE, (b.cy + b.h / 2 - y) * STRIDE]);
    }
    parts.push(sampleCells(f.maps, heatmapTargets(boxes, classes, f.maps.cols, f.maps.rows), opts, random, { centres, wh: f.wh }));
  }
  return concatSamples(parts, classes, extractor.dim);
}

/**
 * Keeps every peak cell, up to `nearCells` cells whose target is between 0 and 1 and
 * `negativeCells` of the rest, each weighted by how many of its kind it stands for.
 */
export function sampleCells(
  maps: FeatureMaps,
  targets: Float32Array[],
  opts: SamplingOptions,
  random: () => number,
  boxes?: { centres: Map<number, [number, number, number, number]>; wh: Float32Array },
): CellSamples {
  const plane = maps.cols * maps.rows;
  const dim = maps.sources.reduce((s, f) => s + f.planes.length, 0);
  const { peaks, near, far } = splitCells(targets, plane);
  const groups = [{ cells: peaks, weight: 1 }, pickCells(near, opts.nearCells, random), pickCells(far, opts.negativeCells, random)];
  const count = groups.reduce((s, g) => s + g.cells.length, 0);
  const classes = targets.length;
  const out = emptySamples(count, classes, dim);
  out.r.fill(Number.NaN);
  let k = 0;
  for (const g of groups) {
    for (const cell of g.cells) {
      writeCell(maps, cell, out.x, k * dim);
      for (let j = 0; j < classes; j++) out.y[k * classes + j] = targets[j][cell];
      out.w[k] = g.weight;
      const box = boxes?.centres.get(cell);
      if (box && boxes) writeBox(out.r, k, box, boxes.wh, plane, cell);
      k++;
    }
  }
  return out;
}

/** Cells by their highest target: a box centre (1), near a centre, or background (0). */
function splitCells(targets: Float32Array[], cells: number): { peaks: number[]; near: number[]; far: number[] } {
  const peaks: number[] = [];
  const near: number[] = [];
  const far: number[] = [];
  for (let i = 0; i < cells; i++) {
    let max = 0;
    for (const t of targets) if (t[i] > max) max = t[i];
    if (max >= 1) peaks.push(i);
    else if (max > 0) near.push(i);
    else far.push(i);
  }
  return { peaks, near, far };
}

/** `n` of the cells at random, each weighted by how many it stands for. */
function pickCells(from: number[], n: number, random: () => number): { cells: number[]; weight: number } {
  if (from.length <= n) return { cells: from, weight: 1 };
  const a = from.slice();
  for (let k = 0; k < n; k++) {
    const j = k + Math.floor(random() * (a.length - k));
    [a[k], a[j]] = [a[j], a[k]];
  }
  return { cells: a.slice(0, n), weight: from.length / n };
}

function writeBox(r: Float32Array, k: number, box: [number, number, number, number], wh: Float32Array, plane: number, cell: number): void {
  for (let j = 0; j < 4; j++) {
    r[k * BOX_VALUES + j] = logDistance(box[j]);
    r[k * BOX_VALUES + 4 + j] = logDistance(wh[j * plane + cell]);
  }
}

export function concatSamples(parts: CellSamples[], classes: number, dim: number): CellSamples {
  const out = emptySamples(
    parts.reduce((s, p) => s + p.count, 0),
    classes,
    dim,
  );
  let k = 0;
  for (const p of parts) {
    if (p.dim !== dim) throw new Error(`samples of ${p.dim} features joined with ${dim}`);
    out.x.set(p.x, k * dim);
    out.y.set(p.y, k * classes);
    out.w.set(p.w, k);
    out.r.set(p.r, k * BOX_VALUES);
    k += p.count;
  }
  return out;
}

export function emptySamples(count: number, classes: number, dim: number): CellSamples {
  return { count, dim, x: new Uint16Array(count * dim), y: new Float32Array(count * classes), w: new Float32Array(count), r: new Float32Array(count * BOX_VALUES) };
}
