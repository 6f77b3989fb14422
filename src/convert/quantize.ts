import onnxProto from 'onnx-proto';
import { OnnxType } from './onnx-writer.js';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

/**
 * Each activation tensor's calibrated [min, max, error], by name (`calibrationTensors` lists which);
 * error: ‖x − dq(q(x))‖ ÷ ‖x‖ over the calibration inputs, the cost of rounding it to uint8.
 */
export type CalibrationRanges = Record<string, [number, number, number]>;

/** Ops after a Conv that make it a model's head: they only reshape or squash its output into an answer. */
const HEAD_OPS = new Set(['Reshape', 'Identity', 'Transpose', 'Concat', 'Sigmoid', 'Flatten', 'Squeeze']);

/** Ops whose output may stand in for a Conv's: onnxruntime drops them in front of a QuantizeLinear whose range they cannot change. */
const FOLDED_ACTIVATIONS = new Set(['Relu', 'Clip']);

/**
 * int8 in onnxruntime's QDQ form: a Conv with constant weights gets its weights as int8, one
 * scale per output channel (symmetric), its bias as int32, and a QuantizeLinear → DequantizeLinear
 * pair (uint8, per tensor, from the calibrated range) on its input and on its output (after a
 * Relu or Clip that is its only consumer). onnxruntime fuses each DQ → Conv → Q into a
 * QLinearConv on u8s8 kernels (VNNI where the CPU has it); every other op stays float32, and so
 * do head Convs and, with `maxError`, Convs whose tensors round badly. Argus measures with it
 * (test/bench/int8-agreement.ts) and runs no int8 model: none kept its answers (docs/benchmarks.md).
 */
export function quantizeModel(bytes: Uint8Array, ranges: CalibrationRanges, opts: { maxError?: number } = {}): { bytes: Uint8Array; quantized: number; total: number } {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  if (!(model.opsetImport ?? []).some((o) => (o.domain ?? '') === '' && Number(o.version) >= 13)) throw new Error('per-channel QDQ needs opset 13 or later');
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const nodes = graph.node ?? [];
  const outputs = graph.output?.map((o) => o.name ?? '') ?? [];
  const candidates = quantizableConvs(nodes, initializers);
  const all = tensorsToQuantize(nodes, candidates, outputs).activations;
  const missing = [...all].filter((t) => !ranges[t]?.every(Number.isFinite));
  if (missing.length > 0) throw new Error(`no finite calibrated range for ${missing.length} tensors (first: "${missing[0]}"); calibrate again`);
  // A Conv stays float32 where rounding its input or output to uint8 costs more than maxError (wide, uneven ranges).
  const maxError = opts.maxError ?? Number.POSITIVE_INFINITY;
  // Heads (a Conv whose output only reshapes into an answer) stay float32 too: answers such as
  // landmark coordinates lose whole pixels on a uint8 grid.
  const readers = (t: string) => nodes.filter((n) => (n.input ?? []).includes(t));
  const head = (c: NodeProto) => readers((c.output ?? [])[0]).every((n) => HEAD_OPS.has(n.opType ?? ''));
  const convs = candidates.filter((c) => !head(c) && [...tensorsToQuantize(nodes, [c], outputs).activations].every((t) => ranges[t][2] <= maxError));
  const { activations } = tensorsToQuantize(nodes, convs, outputs);

  const added: NodeProto[] = [];
  const newInits: TensorProto[] = [];
  const dequantized = new Map<string, string>();
  for (const name of activations) {
    const { scale, zeroPoint } = uint8Params(ranges[name][0], ranges[name][1]);
    const s = `${name}/q_scale`;
    const z = `${name}/q_zero`;
    newInits.push(floatTensor(s, [], [scale]), onnx.TensorProto.create({ name: z, dataType: OnnxType.uint8, dims: [], rawData: new Uint8Array([zeroPoint]) }));
    added.push(node('QuantizeLinear', [name, s, z], [`${name}/q`]), node('DequantizeLinear', [`${name}/q`, s, z], [`${name}/dq`]));
    dequantized.set(name, `${name}/dq`);
  }
  // Consumers read the dequantized tensor; the Q node itself reads the original.
  for (const n of nodes) n.input = (n.input ?? []).map((i) => dequantized.get(i) ?? i);

  for (const conv of convs) {
    const x = (conv.input ?? [])[0];
    const xName = [...dequantized].find(([, dq]) => dq === x)?.[0];
    if (!xName) throw new Error(`conv ${conv.name}: its input is not quantized`);
    const rewritten = int8Weights(conv, initializers, uint8Params(ranges[xName][0], ranges[xName][1]).scale);
    newInits.push(...rewritten.initializers);
    added.push(...rewritten.nodes);
  }
  // Topological order: each Q/DQ pair goes right after its tensor's producer, weights' DQs first.
  graph.node = ordered(nodes, added, [...(graph.input ?? []).map((i) => i.name ?? ''), ...initializers.keys(), ...newInits.map((t) => t.name ?? '')]);
  const used = new Set(graph.node.flatMap((n) => n.input ?? []));
  graph.initializer = [...(graph.initializer ?? []), ...newInits].filter((t) => used.has(t.name ?? ''));
  return { bytes: onnx.ModelProto.encode(model).finish(), quantized: convs.length, total: nodes.filter((n) => n.opType === 'Conv').length };
}

/**
 * A Conv's weights as int8 per output channel and its bias as int32 at scale x · w (what
 * QLinearConv adds before requantizing), each behind a DequantizeLinear the Conv reads.
 */
function int8Weights(conv: NodeProto, initializers: Map<string, TensorProto>, xScale: number): { initializers: TensorProto[]; nodes: NodeProto[] } {
  const inputs = conv.input ?? [];
  const w = initializers.get(inputs[1]) as TensorProto;
  const { q, scales } = int8PerChannel(floats(w), w.dims?.map(Number) ?? []);
  const base = w.name ?? '';
  const inits = [
    onnx.TensorProto.create({ name: `${base}/int8`, dataType: OnnxType.int8, dims: w.dims, rawData: new Uint8Array(q.buffer) }),
    floatTensor(`${base}/w_scale`, [scales.length], scales),
    onnx.TensorProto.create({ name: `${base}/w_zero`, dataType: OnnxType.int8, dims: [scales.length], rawData: new Uint8Array(scales.length) }),
  ];
  const nodes = [node('DequantizeLinear', [`${base}/int8`, `${base}/w_scale`, `${base}/w_zero`], [`${base}/w_dq`], 0)];
  const next = [inputs[0], `${base}/w_dq`];
  const b = inputs[2] ? initializers.get(inputs[2]) : undefined;
  if (b) {
    const bias = floats(b);
    const bScales = scales.map((sw) => sw * xScale);
    const bq = Int32Array.from(bias, (v, c) => Math.round(v / bScales[c]));
    const bb = b.name ?? '';
    inits.push(
      onnx.TensorProto.create({ name: `${bb}/int32`, dataType: OnnxType.int32, dims: b.dims, rawData: new Uint8Array(bq.buffer) }),
      floatTensor(`${bb}/b_scale`, [bScales.length], bScales),
      onnx.TensorProto.create({ name: `${bb}/b_zero`, dataType: OnnxType.int32, dims: [bScales.length], rawData: new Uint8Array(bScales.length * 4) }),
    );
    nodes.push(node('DequantizeLinear', [`${bb}/int32`, `${bb}/b_scale`, `${bb}/b_zero`], [`${bb}/b_dq`], 0));
    next.push(`${bb}/b_dq`);
  }
  conv.input = next;
  return { initializers: inits, nodes };
}

/** The activation tensors `quantizeModel` needs calibrated ranges for. */
export function calibrationTensors(bytes: Uint8Array): string[] {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const nodes = graph.node ?? [];
  return [...tensorsToQuantize(nodes, quantizableConvs(nodes, initializers), graph.output?.map((o) => o.name ?? '') ?? []).activations];
}

/** The model with `tensors` added as float outputs, so one run reports them all (for calibration). */
export function exposeTensors(bytes: Uint8Array, tensors: readonly string[]): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const have = new Set((graph.output ?? []).map((o) => o.name));
  for (const t of tensors) if (!have.has(t)) graph.output?.push(onnx.ValueInfoProto.create({ name: t, type: { tensorType: { elemType: OnnxType.float } } }));
  return onnx.ModelProto.encode(model).finish();
}

function quantizableConvs(nodes: NodeProto[], initializers: Map<string, TensorProto>): NodeProto[] {
  return nodes.filter((n) => {
    if (n.opType !== 'Conv') return false;
    const [, w, b] = n.input ?? [];
    const wt = initializers.get(w);
    return wt !== undefined && wt.dataType === OnnxType.float && (b === undefined || b === '' || initializers.get(b)?.dataType === OnnxType.float);
  });
}

/** A Conv's input, and its output, or the output of the Relu/Clip that alone reads it. */
function tensorsToQuantize(nodes: NodeProto[], convs: NodeProto[], graphOutputs: string[]): { activations: Set<string> } {
  const consumers = new Map<string, NodeProto[]>();
  for (const n of nodes) for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const activations = new Set<string>();
  for (const conv of convs) {
    activations.add((conv.input ?? [])[0]);
    let out = (conv.output ?? [])[0];
    const readers = consumers.get(out) ?? [];
    if (readers.length === 1 && FOLDED_ACTIVATIONS.has(readers[0].opType ?? '') && !graphOutputs.includes(out)) out = (readers[0].output ?? [])[0];
    if (!graphOutputs.includes(out)) activations.add(out);
  }
  return { activations };
}

/** uint8 asymmetric parameters for [lo, hi], widened to hold 0 exactly (padding, ReLU zeros). */
export function uint8Params(lo: number, hi: number): { scale: number; zeroPoint: number } {
  const min = Math.min(0, lo);
  const max = Math.max(0, hi);
  const scale = max > min ? (max - min) / 255 : 1;
  return { scale: Math.fround(scale), zeroPoint: Math.min(255, Math.max(0, Math.round(-min / scale))) };
}

/**
 * The uint8 range for a tensor's sampled values that rounds them with the least squared error,
 * and that error (‖x − dq(q(x))‖ ÷ ‖x‖): min/max shrunk by up to 20×, as a few outliers
 * (squeeze-excite products, depthwise outputs) would otherwise leave most values a step or two.
 */
export function clippedRange(values: Float32Array): [number, number, number] {
  let [lo, hi] = [0, 0];
  let norm = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new Error('a calibration run produced a value that is not finite');
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    norm += v * v;
  }
  let best: [number, number, number] = [lo, hi, Number.POSITIVE_INFINITY];
  for (let k = 0; k <= 40; k++) {
    const shrink = 0.05 ** (k / 40);
    const { scale, zeroPoint } = uint8Params(lo * shrink, hi * shrink);
    let err = 0;
    for (const v of values) err += (v - (Math.max(0, Math.min(255, Math.round(v / scale) + zeroPoint)) - zeroPoint) * scale) ** 2;
    if (err < best[2]) best = [lo * shrink, hi * shrink, err];
  }
  return [best[0], best[1], norm > 0 ? Math.sqrt(best[2] / norm) : 0];
}

/** Symmetric int8 per output channel (axis 0), ±127 so that u8·s8 sums cannot saturate. */
export function int8PerChannel(w: Float32Array, dims: number[]): { q: Int8Array; scales: number[] } {
  const channels = dims[0];
  const per = w.length / channels;
  const q = new Int8Array(w.length);
  const scales: number[] = [];
  for (let c = 0; c < channels; c++) {
    let m = 0;
    for (let i = c * per; i < (c + 1) * per; i++) m = Math.max(m, Math.abs(w[i]));
    const s = Math.fround(m > 0 ? m / 127 : 1);
    scales.push(s);
    for (let i = c * per; i < (c + 1) * per; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i] / s)));
  }
  return { q, scales };
}

function floats(t: TensorProto): Float32Array {
  if (t.rawData && t.rawData.length > 0) {
    const copy = new Uint8Array(t.rawData);
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

function floatTensor(name: string, dims: number[], values: number[]): TensorProto {
  return onnx.TensorProto.create({ name, dataType: OnnxType.float, dims, rawData: new Uint8Array(Float32Array.from(values).buffer) });
}

function node(op: string, input: string[], output: string[], axis?: number): NodeProto {
  const attribute = axis === undefined ? [] : [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis })];
  return onnx.NodeProto.create({ opType: op, name: `quant:${output[0]}`, input, output, attribute });
}

/** Original order kept; each added node placed as soon as all of its inputs exist. */
function ordered(nodes: NodeProto[], added: NodeProto[], available: Iterable<string>): NodeProto[] {
  const produced = new Set(available);
  const out: NodeProto[] = [];
  let pending = added;
  const flush = () => {
    let moved = true;
    while (moved) {
      moved = false;
      const rest: NodeProto[] = [];
      for (const n of pending) {
        if ((n.input ?? []).every((i) => i === '' || produced.has(i))) {
          out.push(n);
          for (const o of n.output ?? []) produced.add(o);
          moved = true;
        } else rest.push(n);
      }
      pending = rest;
    }
  };
  flush();
  for (const n of nodes) {
    out.push(n);
    for (const o of n.output ?? []) produced.add(o);
    flush();
  }
  if (pending.length > 0) throw new Error(`quantization left ${pending.length} nodes without their inputs`);
  return out;
}
