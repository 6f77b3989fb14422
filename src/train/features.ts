import * as ort from 'onnxruntime-node';
import { loadImage, type RgbImage } from '../vision/image.js';
import { letterboxTensor } from '../vision/resize.js';
import { CENTERNET_TENSORS, FEATURE_CHANNELS, FEATURE_SOURCES, featureModel, STRIDE } from './feature-model.js';
import { toHalf } from './half.js';
import { heatmapTargets, type CellBox } from './targets.js';
import type { YoloImage } from './yolo-dataset.js';

/**
 * Sampled training cells of one image view: features (float16 bits, `FEATURE_CHANNELS` a cell),
 * the target heatmap value per class, and a weight that makes the sample stand for the cells of
 * its kind that were not kept (the focal loss sums over every cell of every image).
 */
export interface CellSamples {
  count: number;
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
  /** Input sizes the backbone runs at (the image letterboxed into each): object scales to learn. */
  views: number[];
  /** Cells kept per view from the cells near a box (target between 0 and 1), and from the rest. */
  nearCells: number;
  negativeCells: number;
}

export const DEFAULT_SAMPLING: SamplingOptions = { views: [512, 256], nearCells: 32, negativeCells: 96 };

/** The backbone run for feature extraction, at every view size. */
export class FeatureExtractor {
  private constructor(private readonly sessions: Map<number, ort.InferenceSession>) {}

  static async create(centernet: Uint8Array, sizes: number[], threads = 1): Promise<FeatureExtractor> {
    const sessions = new Map<number, ort.InferenceSession>();
    for (const size of new Set(sizes)) {
      sessions.set(size, await ort.InferenceSession.create(featureModel(centernet, size), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' }));
    }
    return new FeatureExtractor(sessions);
  }

  /** Features [FEATURE_CHANNELS][grid²] (channel planes) and the box head [4][grid²] of a letterboxed image. */
  async run(img: RgbImage, size: number): Promise<{ grid: number; planes: Float32Array[]; wh: Float32Array; scale: number; padX: number; padY: number }> {
    const session = this.sessions.get(size);
    if (!session) throw new Error(`no feature model for input ${size}`);
    const lb = await letterboxTensor(img, size, size, 0, { layout: 'nhwc' });
    const out = await session.run({ [CENTERNET_TENSORS.input]: new ort.Tensor('float32', lb.data, [1, size, size, 3]) });
    const grid = size / STRIDE;
    const plane = grid * grid;
    const planes: Float32Array[] = [];
    for (const name of FEATURE_SOURCES) {
      const data = out[name].data as Float32Array;
      for (let c = 0; c < 128; c++) planes.push(data.subarray(c * plane, (c + 1) * plane));
    }
    return { grid, planes, wh: out[CENTERNET_TENSORS.wh].data as Float32Array, scale: lb.scale, padX: lb.padX, padY: lb.padY };
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) await s.release();
  }
}

export function flipHorizontal(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  const row = img.width * 3;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const s = y * row + x * 3;
      const d = y * row + (img.width - 1 - x) * 3;
      out[d] = img.data[s];
      out[d + 1] = img.data[s + 1];
      out[d + 2] = img.data[s + 2];
    }
  }
  return { width: img.width, height: img.height, data: out };
}

/** Runs every view of one labelled image and keeps its sampled cells. */
export async function sampleImage(extractor: FeatureExtractor, item: YoloImage, classes: number, opts: SamplingOptions, random: () => number): Promise<CellSamples> {
  const original = await loadImage(item.image);
  const parts: CellSamples[] = [];
  for (const size of opts.views) {
    const flip = random() < 0.5;
    const img = flip ? flipHorizontal(original) : original;
    const f = await extractor.run(img, size);
    const boxes: CellBox[] = item.boxes.map((b) => ({
      cls: b.cls,
      cx: ((flip ? 1 - b.cx : b.cx) * img.width * f.scale + f.padX) / STRIDE,
      cy: (b.cy * img.height * f.scale + f.padY) / STRIDE,
      w: (b.w * img.width * f.scale) / STRIDE,
      h: (b.h * img.height * f.scale) / STRIDE,
    }));
    // The box of each centre cell, as distances from the cell's corner (how the decoder reads the box head).
    const centres = new Map<number, [number, number, number, number]>();
    for (const b of boxes) {
      const x = Math.min(f.grid - 1, Math.max(0, Math.floor(b.cx)));
      const y = Math.min(f.grid - 1, Math.max(0, Math.floor(b.cy)));
      centres.set(y * f.grid + x, [(x - b.cx + b.w / 2) * STRIDE, (y - b.cy + b.h / 2) * STRIDE, (b.cx + b.w / 2 - x) * STRIDE, (b.cy + b.h / 2 - y) * STRIDE]);
    }
    parts.push(sampleCells(f.planes, f.grid, heatmapTargets(boxes, classes, f.grid), opts, random, { centres, wh: f.wh }));
  }
  return concatSamples(parts, classes);
}

/**
 * Keeps every peak cell, up to `nearCells` cells whose target is between 0 and 1 and
 * `negativeCells` of the rest, each weighted by how many of its kind it stands for.
 */
export function sampleCells(
  planes: Float32Array[],
  grid: number,
  targets: Float32Array[],
  opts: SamplingOptions,
  random: () => number,
  boxes?: { centres: Map<number, [number, number, number, number]>; wh: Float32Array },
): CellSamples {
  const { peaks, near, far } = splitCells(targets, grid * grid);
  const groups = [{ cells: peaks, weight: 1 }, pickCells(near, opts.nearCells, random), pickCells(far, opts.negativeCells, random)];
  const count = groups.reduce((s, g) => s + g.cells.length, 0);
  const classes = targets.length;
  const out = emptySamples(count, classes);
  out.r.fill(Number.NaN);
  let k = 0;
  for (const g of groups) {
    for (const cell of g.cells) {
      const base = k * FEATURE_CHANNELS;
      for (let c = 0; c < FEATURE_CHANNELS; c++) out.x[base + c] = toHalf(planes[c][cell]);
      for (let j = 0; j < classes; j++) out.y[k * classes + j] = targets[j][cell];
      out.w[k] = g.weight;
      const box = boxes?.centres.get(cell);
      if (box && boxes) writeBox(out.r, k, box, boxes.wh, grid * grid, cell);
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

export function concatSamples(parts: CellSamples[], classes: number): CellSamples {
  const out = emptySamples(
    parts.reduce((s, p) => s + p.count, 0),
    classes,
  );
  let k = 0;
  for (const p of parts) {
    out.x.set(p.x, k * FEATURE_CHANNELS);
    out.y.set(p.y, k * classes);
    out.w.set(p.w, k);
    out.r.set(p.r, k * BOX_VALUES);
    k += p.count;
  }
  return out;
}

export function emptySamples(count: number, classes: number): CellSamples {
  return { count, x: new Uint16Array(count * FEATURE_CHANNELS), y: new Float32Array(count * classes), w: new Float32Array(count), r: new Float32Array(count * BOX_VALUES) };
}
