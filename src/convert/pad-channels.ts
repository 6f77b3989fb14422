import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;

/**
 * Zero-pads the channel count of convolution chains up to a multiple of `multiple` (16 by
 * default), so that onnxruntime's CPU EP can keep them in its NCHWc blocked layout (it reorders
 * around convolutions whose channel counts are not multiples of its block size, and cannot fuse
 * Add/Relu there). BlazeFace's 24-channel stage becomes 32 channels.
 *
 * A group of tensors is padded only when every op that makes or reads one of them keeps padded
 * channels exactly zero and never exposes the channel count: made by a Conv with constant weights
 * (zero filters, zero bias), Relu, Add of two padded tensors, MaxPool/AveragePool (average over
 * zeros is 0), a depthwise Conv over the group (zero filters, zero bias); read by those, by any
 * Conv with constant weights (zero input filters: the padding is never observed), or by a
 * constant zero Pad on channels (its trailing channel pad shrinks by what is already there).
 * Anything else (graph outputs, Reshape, Concat, Transpose, PRelu, Mul…) leaves the group as it is.
 * Outputs are unchanged: the extra channels add exact zeros.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one walk over a channel group's consumers, case by op type, as the comment above lists; its tests and the agreement tests hold it
export function padChannels(nodes: NodeProto[], initializers: TensorProto[], graphOutputs: string[], multiple = 16): number {
  channelPadsToConv(nodes, initializers);
  const init = new Map(initializers.map((t) => [t.name, t]));
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  const uses = new Map<string, number>();
  for (const n of nodes) {
    for (const o of n.output) producer.set(o, n);
    for (const i of n.input) {
      if (!i) continue;
      uses.set(i, (uses.get(i) ?? 0) + 1);
      if (!consumers.has(i)) consumers.set(i, []);
      consumers.get(i)!.push(n);
    }
  }
  const outputSet = new Set(graphOutputs);
  const groupOf = (n: NodeProto): number => Number(n.attribute.find((a) => a.name === 'group')?.i ?? 1);
  const floatInit = (name: string | undefined): TensorProto | undefined => {
    const t = name ? init.get(name) : undefined;
    return t && t.dataType === onnx.TensorProto.DataType.FLOAT && uses.get(name!) === 1 ? t : undefined;
  };
  /** A Conv with a private constant float weight (and bias, if any). */
  const constConv = (n: NodeProto): boolean => n.opType === 'Conv' && !!floatInit(n.input[1]) && (!n.input[2] || !!floatInit(n.input[2]));
  const isDepthwise = (n: NodeProto, c: number): boolean =>
    constConv(n) && groupOf(n) === c && Number(init.get(n.input[1])!.dims[0]) === c && Number(init.get(n.input[1])!.dims[1]) === 1;
  const PASS = new Set(['Relu', 'MaxPool', 'AveragePool']);

  const done = new Set<string>();
  let padded = 0;
  for (const seed of nodes) {
    if (!constConv(seed) || groupOf(seed) !== 1) continue;
    const c = Number(init.get(seed.input[1])!.dims[0]);
    if (c % multiple === 0 || done.has(seed.output[0])) continue;
    const p = Math.ceil(c / multiple) * multiple;

    // Closure of the group: every tensor connected to the seed through channel-preserving ops.
    const group = new Set<string>([seed.output[0]]);
    const queue = [seed.output[0]];
    let ok = true;
    const add = (t: string): void => {
      if (!group.has(t)) {
        group.add(t);
        queue.push(t);
      }
    };
    while (ok && queue.length > 0) {
      const t = queue.pop()!;
      if (outputSet.has(t) || init.has(t)) {
        ok = false;
        break;
      }
      const prod = producer.get(t);
      if (!prod) {
        ok = false;
        break;
      }
      if (prod.opType === 'Conv') {
        if (!constConv(prod)) ok = false;
        else if (groupOf(prod) === 1) ok = Number(init.get(prod.input[1])!.dims[0]) === c;
        else if (isDepthwise(prod, c)) add(prod.input[0]);
        else ok = false;
      } else if (PASS.has(prod.opType)) add(prod.input[0]);
      else if (prod.opType === 'Add') {
        add(prod.input[0]);
        add(prod.input[1]);
      } else ok = false;
      for (const n of consumers.get(t) ?? []) {
        if (!ok) break;
        if (n.opType === 'Conv') {
          if (!constConv(n)) ok = false;
          else if (groupOf(n) === 1) ok = Number(init.get(n.input[1])!.dims[1]) === c;
          else if (isDepthwise(n, c)) add(n.output[0]);
          else ok = false;
        } else if (PASS.has(n.opType)) add(n.output[0]);
        else if (n.opType === 'Add') {
          add(n.input[0]);
          add(n.input[1]);
          add(n.output[0]);
        } else if (n.opType === 'Pad') ok = padAbsorbs(n, init, uses, p - c);
        else ok = false;
      }
    }
    for (const t of group) done.add(t);
    if (!ok) continue;

    // Rewrite: producers' output filters, consumers' input filters, depthwise groups, Pads.
    const rewritten = new Set<NodeProto>();
    for (const t of group) {
      for (const n of [producer.get(t)!, ...(consumers.get(t) ?? [])]) {
        if (rewritten.has(n)) continue;
        rewritten.add(n);
        if (n.opType === 'Conv') {
          const w = init.get(n.input[1])!;
          const dims = w.dims.map(Number);
          const padOut = group.has(n.output[0]);
          const padIn = group.has(n.input[0]) && groupOf(n) === 1;
          const newDims = [padOut ? p : dims[0], padIn ? p : dims[1], ...dims.slice(2)];
          setFloat(w, newDims, padFloat(floatData(w), dims, newDims));
          if (padOut && n.input[2]) {
            const b = init.get(n.input[2])!;
            setFloat(b, [p], padFloat(floatData(b), [c], [p]));
          }
          if (groupOf(n) !== 1) n.attribute.find((a) => a.name === 'group')!.i = p;
        } else if (n.opType === 'Pad') {
          const pads = init.get(n.input[1])!;
          const v = int64Data(pads);
          v[5] -= BigInt(p - c);
          pads.rawData = new Uint8Array(v.buffer);
        }
      }
    }
    padded++;
  }
  return padded;
}

/** A constant-mode Pad of 4-D NCHW data with constant pads whose trailing channel pad covers `extra`. */
function padAbsorbs(n: NodeProto, init: Map<string, TensorProto>, uses: Map<string, number>, extra: number): boolean {
  const mode = n.attribute.find((a) => a.name === 'mode');
  if (mode && new TextDecoder().decode(mode.s ?? new Uint8Array()) !== 'constant') return false;
  if (n.input[2]) {
    const cv = init.get(n.input[2]);
    if (!cv || floatData(cv).some((x) => x !== 0)) return false;
  }
  const pads = init.get(n.input[1]);
  if (!pads || pads.dataType !== onnx.TensorProto.DataType.INT64 || uses.get(n.input[1]) !== 1) return false;
  const v = int64Data(pads);
  return v.length === 8 && v[5] >= BigInt(extra);
}

/** A copy of an int64 tensor's raw bytes (the Pads' pads input), aligned for BigInt64Array. */
function int64Data(t: TensorProto): BigInt64Array {
  return new BigInt64Array(new Uint8Array(t.rawData).buffer);
}

function floatData(t: TensorProto): Float32Array {
  if (t.rawData && t.rawData.length > 0) return new Float32Array(new Uint8Array(t.rawData).buffer);
  return Float32Array.from(t.floatData ?? []);
}

function setFloat(t: TensorProto, dims: number[], data: Float32Array): void {
  t.dims = dims;
  t.floatData = [];
  t.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Copies `data` (shape `dims`) into the leading corner of a zero tensor of shape `to`. */
function padFloat(data: Float32Array, dims: number[], to: number[]): Float32Array {
  const out = new Float32Array(to.reduce((a, b) => a * b, 1));
  const inner = dims.slice(2).reduce((a, b) => a * b, 1);
  const d1 = dims.length > 1 ? dims[1] : 1;
  const t1 = to.length > 1 ? to[1] : 1;
  for (let o = 0; o < dims[0]; o++) for (let i = 0; i < d1; i++) out.set(data.subarray((o * d1 + i) * inner, (o * d1 + i + 1) * inner), (o * t1 + i) * inner);
  return out;
}

/**
 * A constant zero Pad on channels only (BlazeFace's residual shortcut, 24 → 48 channels) becomes a
 * 1×1 Conv with an identity filter: exact (x·1 plus zeros), and onnxruntime can keep it, and the
 * Add that reads it, in its blocked layout, where a Pad sends the whole stage back to plain NCHW.
 * Only where the input's channel count is known: made by a Conv with a constant filter, through
 * Relu, MaxPool, AveragePool, Add or depthwise convolutions.
 */
export function channelPadsToConv(nodes: NodeProto[], initializers: TensorProto[]): number {
  const init = new Map(initializers.map((t) => [t.name, t]));
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output) producer.set(o, n);
  const memo = new Map<string, number | undefined>();
  const channelsOf = (t: string, depth = 0): number | undefined => {
    if (memo.has(t)) return memo.get(t);
    const c = channelsOfUncached(t, depth);
    memo.set(t, c);
    return c;
  };
  const channelsOfUncached = (t: string, depth: number): number | undefined => {
    const n = producer.get(t);
    if (!n || depth > 200) return undefined;
    if (n.opType === 'Conv') {
      const w = init.get(n.input[1]);
      return w && w.dims.length === 4 ? Number(w.dims[0]) : undefined;
    }
    if (n.opType === 'Relu' || n.opType === 'MaxPool' || n.opType === 'AveragePool') return channelsOf(n.input[0], depth + 1);
    if (n.opType === 'Add') {
      // Both sides, so that a broadcast operand cannot stand for the sum's channel count.
      const [a, b] = [channelsOf(n.input[0], depth + 1), channelsOf(n.input[1], depth + 1)];
      return a !== undefined && a === b ? a : undefined;
    }
    return undefined;
  };
  let replaced = 0;
  for (const n of nodes) {
    if (n.opType !== 'Pad' || !padAbsorbs(n, init, new Map([[n.input[1], 1]]), 0)) continue;
    const v = int64Data(init.get(n.input[1])!);
    if ([0, 2, 3, 4, 6, 7].some((i) => v[i] !== 0n) || v[1] < 0n || v[5] < 0n) continue;
    const c = channelsOf(n.input[0]);
    if (c === undefined) continue;
    const before = Number(v[1]);
    const out = c + before + Number(v[5]);
    const eye = new Float32Array(out * c);
    for (let i = 0; i < c; i++) eye[(before + i) * c + i] = 1;
    let name = `${n.name}/eye`;
    while (init.has(name)) name += '_';
    const w = onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims: [out, c, 1, 1], rawData: new Uint8Array(eye.buffer) });
    initializers.push(w);
    init.set(name, w);
    const dropped = n.input.slice(1).filter((i) => i && init.has(i));
    n.opType = 'Conv';
    n.input = [n.input[0], name];
    for (const d of dropped) if (!nodes.some((m) => m.input.includes(d))) initializers.splice(initializers.indexOf(init.get(d)!), 1);
    n.attribute = [onnx.AttributeProto.create({ name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1] })];
    replaced++;
  }
  return replaced;
}
