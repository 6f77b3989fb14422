import { HALF_TABLE } from './half.js';
import { DensePasses } from './dense-passes.js';
import { BOX_VALUES, type CellSamples } from './features.js';

/**
 * The trained class head: per feature cell, standardised features → `hidden` ReLU units → one
 * logit per class (hidden 0: straight to the logits), then, with `boxes`, 4 corrections to the
 * log of CenterNet's box distances at the new classes' centres. In the ONNX graph it is two 1×1
 * convolutions, with the standardisation folded into the first (exportHead).
 */
export interface HeadParams {
  dim: number;
  hidden: number;
  classes: number;
  boxes: boolean;
  mean: Float32Array;
  invStd: Float32Array;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/** Plain weights of the two 1×1 convolutions, standardisation folded in. */
export interface ExportedHead {
  dim: number;
  hidden: number;
  classes: number;
  /** The last 4 outputs of w2/b2 correct the log box distances. */
  boxes: boolean;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

const PRIOR_BIAS = -Math.log((1 - 0.01) / 0.01); // CenterNet's heatmap bias: a prior of 0.01

export function outputsOf(h: { classes: number; boxes: boolean }): number {
  return h.classes + (h.boxes ? 4 : 0);
}

export function initHead(dim: number, hidden: number, classes: number, boxes: boolean, random: () => number, stats: { mean: Float32Array; invStd: Float32Array }): HeadParams {
  const inW2 = hidden > 0 ? hidden : dim;
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const w1 = new Float32Array(hidden * dim).map(() => gauss() * Math.sqrt(2 / dim));
  // box corrections start at zero: CenterNet's own boxes
  const w2 = new Float32Array(outputsOf({ classes, boxes }) * inW2).map((_, i) => (i < classes * inW2 ? gauss() * 0.01 : 0));
  const b2 = new Float32Array(outputsOf({ classes, boxes })).map((_, i) => (i < classes ? PRIOR_BIAS : 0));
  return { dim, hidden, classes, boxes, mean: stats.mean, invStd: stats.invStd, w1, b1: new Float32Array(hidden), w2, b2 };
}

/** How the box corrections learn: `l1` (smooth L1 on each log distance, the default, as the shipped head was trained) or `iou` (1 − IoU of the corrected box). */
export type BoxLoss = 'iou' | 'l1';
export const BOX_LOSSES: readonly BoxLoss[] = ['iou', 'l1'];

/**
 * 1 − IoU of the corrected box against the labelled one, both as (left, top, right, bottom)
 * distances from the same cell: the four corrections' gradients, then the loss.
 */
export function iouLoss(zs: ArrayLike<number>, classes: number, r: Float32Array, at: number): number[] {
  const p = [0, 1, 2, 3].map((k) => Math.exp(r[at + 4 + k] + zs[classes + k]));
  const t = [0, 1, 2, 3].map((k) => Math.exp(r[at + k]));
  const iw = Math.min(p[0], t[0]) + Math.min(p[2], t[2]);
  const ih = Math.min(p[1], t[1]) + Math.min(p[3], t[3]);
  const inter = iw * ih;
  const [pw, ph] = [p[0] + p[2], p[1] + p[3]];
  const union = pw * ph + (t[0] + t[2]) * (t[1] + t[3]) - inter;
  const iou = inter / union;
  const grads = [0, 1, 2, 3].map((k) => {
    const dI = k % 2 === 0 ? (p[k] < t[k] ? ih : 0) : p[k] < t[k] ? iw : 0;
    const dU = (k % 2 === 0 ? ph : pw) - dI;
    // d(1 − IoU)/dp · dp/dz, p = e^(log CenterNet distance + z)
    return (-(dI * union - inter * dU) / (union * union)) * p[k];
  });
  return [...grads, 1 - iou];
}

/** Smooth L1 (Huber, β 0.1) of a box correction's error; returns [loss, d loss / d prediction]. */
export function boxLoss(err: number): [number, number] {
  const beta = 0.1;
  const a = Math.abs(err);
  return a < beta ? [(0.5 * err * err) / beta, err / beta] : [a - 0.5 * beta, Math.sign(err)];
}

/** Per-channel mean and 1/std over (at most `limit`) samples. */
export function featureStats(s: CellSamples, dim: number, limit = 50_000): { mean: Float32Array; invStd: Float32Array } {
  const n = Math.min(s.count, limit);
  const step = s.count / n;
  const sum = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let k = 0; k < n; k++) {
    const base = Math.floor(k * step) * dim;
    for (let c = 0; c < dim; c++) {
      const v = HALF_TABLE[s.x[base + c]];
      sum[c] += v;
      sq[c] += v * v;
    }
  }
  const mean = new Float32Array(dim);
  const invStd = new Float32Array(dim);
  for (let c = 0; c < dim; c++) {
    mean[c] = sum[c] / n;
    invStd[c] = 1 / Math.sqrt(Math.max(sq[c] / n - mean[c] ** 2, 0) + 1e-6);
  }
  return { mean, invStd };
}

/** CenterNet's focal loss for one logit and its target; returns [loss, d loss / d logit]. */
export function focalLoss(z: number, y: number): [number, number] {
  const p = Math.min(Math.max(1 / (1 + Math.exp(-z)), 1e-6), 1 - 1e-6);
  if (y >= 1) {
    const lp = Math.log(p);
    return [-((1 - p) ** 2) * lp, (1 - p) ** 2 * (2 * p * lp - (1 - p))];
  }
  const q = (1 - y) ** 4;
  const l1p = Math.log(1 - p);
  return [-q * p * p * l1p, q * p * p * (p - 2 * (1 - p) * l1p)];
}

/** Adam state for every parameter array of a head. */
export interface AdamState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export function paramList(h: HeadParams): Float32Array[] {
  return [h.w1, h.b1, h.w2, h.b2];
}

export function initAdam(h: HeadParams): AdamState {
  return { step: 0, m: paramList(h).map((p) => new Float32Array(p.length)), v: paramList(h).map((p) => new Float32Array(p.length)) };
}

/**
 * Trains a head a batch at a time: the batch's rows gathered from the cell cache, the two layers'
 * products and gradients run by onnxruntime (dense-passes.ts), the loss and Adam here. Buffers are
 * reused across batches.
 */
export class HeadTrainer {
  private readonly xb: Float32Array;
  private readonly dz: Float32Array;
  /** One sample's outputs and the loss's derivative by each (classes, then 4 box corrections). */
  private readonly zs: Float64Array;
  private readonly dzs: Float64Array;

  private constructor(
    readonly head: HeadParams,
    readonly adam: AdamState,
    private readonly boxLossKind: BoxLoss,
    private readonly passes: DensePasses,
    batch: number,
  ) {
    this.xb = new Float32Array(batch * head.dim);
    this.dz = new Float32Array(batch * outputsOf(head));
    this.zs = new Float64Array(outputsOf(head));
    this.dzs = new Float64Array(outputsOf(head));
  }

  static async create(head: HeadParams, adam: AdamState, batch: number, boxLossKind: BoxLoss = 'l1'): Promise<HeadTrainer> {
    const passes = await DensePasses.create({ dim: head.dim, hidden: head.hidden, outputs: outputsOf(head), standardise: true });
    return new HeadTrainer(head, adam, boxLossKind, passes, batch);
  }

  /** One Adam step over the samples `idx[from..to)` (at most the batch); the loss is summed with the sample weights, divided by `norm`. */
  async step(s: CellSamples, idx: Uint32Array, from: number, to: number, norm: number, lr: number, weightDecay = 1e-4): Promise<number> {
    const { dim, classes, boxes } = this.head;
    const O = outputsOf(this.head);
    const rows = to - from;
    if (rows * dim > this.xb.length) throw new Error(`head trainer: ${rows} rows, more than its batch`);
    const { xb } = this;
    for (let k = 0; k < rows; k++) {
      const base = idx[from + k] * dim;
      for (let c = 0; c < dim; c++) xb[k * dim + c] = HALF_TABLE[s.x[base + c]];
    }
    const { z, h } = await this.passes.forward(xb, rows, this.head);
    const { zs, dzs, dz } = this;
    dz.fill(0);
    let loss = 0;
    for (let k = 0; k < rows; k++) {
      const i = idx[from + k];
      const w = s.w[i] / norm;
      // box corrections are learnt at box centres only
      const outputs = boxes && !Number.isNaN(s.r[i * BOX_VALUES]) ? O : classes;
      for (let o = 0; o < outputs; o++) zs[o] = z[k * O + o];
      loss += this.outputGradients(s, i, outputs) * w;
      for (let o = 0; o < outputs; o++) dz[k * O + o] = dzs[o] * w;
    }
    const g = await this.passes.gradients(xb, rows, this.head, h, dz);
    this.apply([g.gw1, g.gb1, g.gw2, g.gb2], lr, weightDecay);
    return loss;
  }

  async release(): Promise<void> {
    await this.passes.release();
  }

  /** The loss of one sample's outputs (`zs`), and into `dzs` its derivative by each: focal for the classes, then the box loss. */
  private outputGradients(s: CellSamples, i: number, outputs: number): number {
    const { classes } = this.head;
    const { zs, dzs } = this;
    let loss = 0;
    for (let o = 0; o < classes; o++) {
      const [l, dz] = focalLoss(zs[o], s.y[i * classes + o]);
      loss += l;
      dzs[o] = dz;
    }
    if (outputs === classes) return loss;
    const at = i * BOX_VALUES;
    if (this.boxLossKind === 'iou') {
      const g = iouLoss(zs, classes, s.r, at);
      for (let k = 0; k < 4; k++) dzs[classes + k] = g[k];
      return loss + g[4];
    }
    for (let k = 0; k < 4; k++) {
      const [l, dz] = boxLoss(zs[classes + k] - (s.r[at + k] - s.r[at + k + 4]));
      loss += l;
      dzs[classes + k] = dz;
    }
    return loss;
  }

  private apply(grads: Float32Array[], lr: number, weightDecay: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    const a = this.adam;
    a.step++;
    const c1 = 1 - b1 ** a.step;
    const c2 = 1 - b2 ** a.step;
    paramList(this.head).forEach((p, k) => {
      const g = grads[k];
      const m = a.m[k];
      const v = a.v[k];
      const decay = k % 2 === 0 ? weightDecay : 0; // weights only, not biases
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] + decay * p[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
      }
    });
  }
}

/** The logits of one cell's raw features (for checks; the model runs the exported head). */
export function headLogits(head: HeadParams, features: ArrayLike<number>): number[] {
  const { dim, hidden, mean, invStd, w1, b1, w2, b2 } = head;
  const outputs = outputsOf(head);
  const x = Array.from({ length: dim }, (_, c) => (features[c] - mean[c]) * invStd[c]);
  const input =
    hidden > 0
      ? Array.from({ length: hidden }, (_, j) =>
          Math.max(
            0,
            x.reduce((a, v, c) => a + w1[j * dim + c] * v, b1[j]),
          ),
        )
      : x;
  return Array.from({ length: outputs }, (_, o) => input.reduce((a, v, j) => a + w2[o * input.length + j] * v, b2[o]));
}

/** Folds the standardisation into the first layer: W' = W·invStd, b' = b − W'·mean. */
export function exportHead(head: HeadParams): ExportedHead {
  const { dim, hidden, classes, boxes, mean, invStd } = head;
  const fold = (w: Float32Array, b: Float32Array, rows: number): { w: Float32Array; b: Float32Array } => {
    const wOut = new Float32Array(w.length);
    const bOut = new Float32Array(b);
    for (let r = 0; r < rows; r++) {
      let shift = 0;
      for (let c = 0; c < dim; c++) {
        wOut[r * dim + c] = w[r * dim + c] * invStd[c];
        shift += wOut[r * dim + c] * mean[c];
      }
      bOut[r] -= shift;
    }
    return { w: wOut, b: bOut };
  };
  if (hidden > 0) {
    const first = fold(head.w1, head.b1, hidden);
    return { dim, hidden, classes, boxes, w1: first.w, b1: first.b, w2: new Float32Array(head.w2), b2: new Float32Array(head.b2) };
  }
  const only = fold(head.w2, head.b2, outputsOf(head));
  return { dim, hidden, classes, boxes, w1: new Float32Array(0), b1: new Float32Array(0), w2: only.w, b2: only.b };
}
