import * as ort from 'onnxruntime-node';
import { type Dim, OnnxGraphBuilder, OnnxType } from '../convert/onnx-writer.js';

/**
 * The forward pass and the weight gradients of two dense layers (inputs → `hidden` ReLU units →
 * `outputs` linear values; hidden 0: inputs straight to the outputs) over a batch of rows, run as
 * matrix products by onnxruntime. The trainers keep the loss and the Adam step in TypeScript (a few
 * values a row); the products are where the time goes, and onnxruntime's GEMMs do them many times
 * faster than a loop over one row at a time.
 *
 * `standardise`: the rows come raw with a mean and 1/σ per column, applied in the graph; otherwise
 * they come standardised. Always float32: the head's float16 cells are decoded while gathered
 * (onnxruntime-node cannot read a float16 tensor where Node has Float16Array, as Node 24 in the
 * add-on image does: "not enough space").
 */
export interface DenseShape {
  dim: number;
  hidden: number;
  outputs: number;
  standardise: boolean;
}

export interface DenseWeights {
  w1: Float32Array; // [hidden, dim]
  b1: Float32Array;
  w2: Float32Array; // [outputs, hidden or dim]
  b2: Float32Array;
  mean?: Float32Array;
  invStd?: Float32Array;
}

export interface DenseGradients {
  gw1: Float32Array;
  gb1: Float32Array;
  gw2: Float32Array;
  gb2: Float32Array;
}

export class DensePasses {
  private constructor(
    readonly shape: DenseShape,
    private readonly fwd: ort.InferenceSession,
    private readonly bwd: ort.InferenceSession,
  ) {}

  static async create(shape: DenseShape, threads = 1): Promise<DensePasses> {
    const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
    const [fwd, bwd] = await Promise.all([
      ort.InferenceSession.create(densePassModel(shape, 'forward'), opts),
      ort.InferenceSession.create(densePassModel(shape, 'backward'), opts),
    ]);
    return new DensePasses(shape, fwd, bwd);
  }

  /** The outputs [rows, outputs] and the hidden units [rows, hidden] of `rows` rows of `x`. */
  async forward(x: Float32Array, rows: number, w: DenseWeights): Promise<{ z: Float32Array; h: Float32Array }> {
    const r = await this.fwd.run(this.feeds(x, rows, w, false));
    return { z: r.z.data as Float32Array, h: this.shape.hidden > 0 ? (r.h.data as Float32Array) : new Float32Array(0) };
  }

  /** The weights' gradients, summed over the rows, given the loss's derivative by each output (`dz`, [rows, outputs]). */
  async gradients(x: Float32Array, rows: number, w: DenseWeights, h: Float32Array, dz: Float32Array): Promise<DenseGradients> {
    const feeds = this.feeds(x, rows, w, true);
    feeds.dz = new ort.Tensor('float32', dz.subarray(0, rows * this.shape.outputs), [rows, this.shape.outputs]);
    if (this.shape.hidden > 0) feeds.h = new ort.Tensor('float32', h.subarray(0, rows * this.shape.hidden), [rows, this.shape.hidden]);
    const r = await this.bwd.run(feeds);
    const empty = new Float32Array(0);
    return {
      gw1: this.shape.hidden > 0 ? (r.gw1.data as Float32Array) : empty,
      gb1: this.shape.hidden > 0 ? (r.gb1.data as Float32Array) : empty,
      gw2: r.gw2.data as Float32Array,
      gb2: r.gb2.data as Float32Array,
    };
  }

  async release(): Promise<void> {
    await Promise.all([this.fwd.release(), this.bwd.release()]);
  }

  private feeds(x: Float32Array, rows: number, w: DenseWeights, backward: boolean): Record<string, ort.Tensor> {
    const { dim, hidden, outputs, standardise } = this.shape;
    const f = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
    const feeds: Record<string, ort.Tensor> = { x: f(x.subarray(0, rows * dim), [rows, dim]) };
    if (standardise) {
      if (!w.mean || !w.invStd) throw new Error('dense passes: standardised rows need a mean and 1/σ');
      feeds.mean = f(w.mean, [dim]);
      feeds.inv_std = f(w.invStd, [dim]);
    }
    if (hidden > 0) {
      if (!backward) {
        feeds.w1 = f(w.w1, [hidden, dim]);
        feeds.b1 = f(w.b1, [hidden]);
      }
      feeds.w2 = f(w.w2, [outputs, hidden]);
    } else if (!backward) feeds.w2 = f(w.w2, [outputs, dim]);
    if (!backward) feeds.b2 = f(w.b2, [outputs]);
    return feeds;
  }
}

/**
 * The graph of one pass. Forward: z = relu(x·w1ᵀ + b1)·w2ᵀ + b2 (and h, the hidden units).
 * Backward: gw2 = dzᵀ·h, gb2 = Σ dz, dh = (dz·w2) ⊙ [h > 0], gw1 = dhᵀ·x, gb1 = Σ dh.
 */
export function densePassModel(shape: DenseShape, pass: 'forward' | 'backward'): Uint8Array {
  const { dim, hidden, outputs, standardise } = shape;
  const g = new OnnxGraphBuilder();
  const F = OnnxType.float;
  const B: Dim = 'rows';
  const node = (op: string, inputs: string[], name: string, attrs?: Record<string, number>) => g.addNode(op, inputs, { name, attrs })[0];
  const reserve = (name: string, type: OnnxType, dims: Dim[]) => {
    g.reserve(name);
    g.addInput(name, type, dims);
    return name;
  };
  let x = reserve('x', F, [B, dim]);
  if (standardise) x = node('Mul', [node('Sub', [x, reserve('mean', F, [dim])], 'centred'), reserve('inv_std', F, [dim])], 'standardised');
  const output = (name: string, from: string, dims: Dim[]) => {
    g.reserve(name);
    g.addNode('Identity', [from], { name, outputs: [name] });
    g.addOutput(name, F, dims);
  };
  if (pass === 'forward') {
    let h = x;
    if (hidden > 0) {
      h = node('Relu', [node('Gemm', [x, reserve('w1', F, [hidden, dim]), reserve('b1', F, [hidden])], 'pre', { transB: 1 })], 'hidden');
      output('h', h, [B, hidden]);
    }
    const w2 = reserve('w2', F, [outputs, hidden > 0 ? hidden : dim]);
    output('z', node('Gemm', [h, w2, reserve('b2', F, [outputs])], 'out', { transB: 1 }), [B, outputs]);
    return g.encode({ graphName: 'argus_dense_forward', producer: 'argus-train' });
  }
  const axis0 = g.addInitializer('axis0', { type: OnnxType.int64, dims: [1], data: BigInt64Array.from([0n]) });
  const dz = reserve('dz', F, [B, outputs]);
  const h = hidden > 0 ? reserve('h', F, [B, hidden]) : x;
  output('gw2', node('Gemm', [dz, h], 'gw2_', { transA: 1 }), [outputs, hidden > 0 ? hidden : dim]);
  output('gb2', node('ReduceSum', [dz, axis0], 'gb2_', { keepdims: 0 }), [outputs]);
  if (hidden > 0) {
    const w2 = reserve('w2', F, [outputs, hidden]);
    // ReLU's derivative: h is ≥ 0, so its sign is 1 where the unit is on and 0 where it is off
    const dh = node('Mul', [node('MatMul', [dz, w2], 'dh_all'), node('Sign', [h], 'on')], 'dh');
    output('gw1', node('Gemm', [dh, x], 'gw1_', { transA: 1 }), [hidden, dim]);
    output('gb1', node('ReduceSum', [dh, axis0], 'gb1_', { keepdims: 0 }), [hidden]);
  }
  return g.encode({ graphName: 'argus_dense_backward', producer: 'argus-train' });
}
