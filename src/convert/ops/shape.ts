import { NCHW_AXIS_OF_NHWC, type ConvertContext } from '../context.js';
import { attr, dataInputs, onnxTypeOfTf } from '../tf-attr.js';
import { OnnxType } from '../onnx-writer.js';
import type { TfNode } from '../tfjs-model.js';
import type { OpMapper } from './op-mapper.js';

/** Shape and indexing ops. Most run in the TF layout; Pad and ConcatV2 follow NCHW inputs. */

const INT64_MAX = 2 ** 62; // "to the end" for Slice; ONNX clamps it
const tType = (n: TfNode, key = 'T'): OnnxType | undefined => onnxTypeOfTf(attr.type(n, key));

function axisValue(ctx: ConvertContext, n: TfNode, ref: string): number {
  return Number(ctx.requireValue(ref, n, 'the axis').data[0]);
}

export const shapeOps: Record<string, OpMapper> = {
  Reshape: (n, ctx) => {
    const [x, shape] = dataInputs(n);
    const y = ctx.node('Reshape', [ctx.nhwc(x), ctx.asInt64(shape, `${n.name}/shape`)], n.name);
    ctx.set(n.name, { nhwc: y, type: tType(n) });
  },

  Shape: (n, ctx) => {
    const [x] = dataInputs(n);
    // Reading the shape of the NCHW form avoids a Transpose that only Shape would use.
    const s = ctx.hasNchw(x)
      ? ctx.node('Gather', [ctx.node('Shape', [ctx.nchw(x)], `${n.name}/nchw`), ctx.int64(`${n.name}/perm`, NCHW_AXIS_OF_NHWC)], `${n.name}/nhwc`, { axis: 0 })
      : ctx.node('Shape', [ctx.nhwc(x)], `${n.name}/i64`);
    const to = tType(n, 'out_type') ?? OnnxType.int32;
    ctx.set(n.name, { nhwc: ctx.node('Cast', [s], n.name, { to }), type: to });
  },

  StridedSlice: (n, ctx) => stridedSlice(n, ctx),

  Pack: (n, ctx) => {
    const xs = dataInputs(n);
    const axis = attr.int(n, 'axis');
    const axes = ctx.int64(`${n.name}/axis`, [axis]);
    const parts = xs.map((x, i) => ctx.node('Unsqueeze', [ctx.nhwc(x), axes], `${n.name}/${i}`));
    ctx.set(n.name, { nhwc: ctx.node('Concat', parts, n.name, { axis }), type: tType(n) ?? ctx.typeOf(xs[0]) });
  },

  Unpack: (n, ctx) => {
    const [x] = dataInputs(n);
    const axis = attr.int(n, 'axis');
    const num = attr.int(n, 'num');
    const parts = ctx.graph.addNode('Split', [ctx.nhwc(x)], { name: `${n.name}/split`, outputs: num, attrs: { axis } });
    const axes = ctx.int64(`${n.name}/axis`, [axis]);
    parts.forEach((p, i) => {
      const y = ctx.node('Squeeze', [p, axes], i === 0 ? n.name : `${n.name}:${i}`);
      ctx.set(i === 0 ? n.name : `${n.name}:${i}`, { nhwc: y, type: tType(n) ?? ctx.typeOf(x) });
    });
  },

  ExpandDims: (n, ctx) => {
    const [x, dim] = dataInputs(n);
    const y = ctx.node('Unsqueeze', [ctx.nhwc(x), ctx.int64(`${n.name}/axes`, [axisValue(ctx, n, dim)])], n.name);
    ctx.set(n.name, { nhwc: y, type: tType(n) ?? ctx.typeOf(x) });
  },

  Squeeze: (n, ctx) => {
    const [x] = dataInputs(n);
    const dims = attr.ints(n, 'squeeze_dims');
    const inputs = [ctx.nhwc(x)];
    if (dims.length > 0) inputs.push(ctx.int64(`${n.name}/axes`, dims));
    ctx.set(n.name, { nhwc: ctx.node('Squeeze', inputs, n.name), type: tType(n) ?? ctx.typeOf(x) });
  },

  ConcatV2: (n, ctx) => {
    const all = dataInputs(n);
    const xs = all.slice(0, -1);
    const axis = axisValue(ctx, n, all[all.length - 1]);
    const type = tType(n) ?? ctx.typeOf(xs[0]);
    if (xs.every((x) => ctx.hasNchw(x))) {
      const y = ctx.node(
        'Concat',
        xs.map((x) => ctx.nchw(x)),
        n.name,
        { axis: NCHW_AXIS_OF_NHWC[(axis + 4) % 4] },
      );
      ctx.set(n.name, { nchw: y, type });
    } else {
      ctx.set(n.name, {
        nhwc: ctx.node(
          'Concat',
          xs.map((x) => ctx.nhwc(x)),
          n.name,
          { axis },
        ),
        type,
      });
    }
  },

  Pad: (n, ctx) => pad(n, ctx),
  PadV2: (n, ctx) => pad(n, ctx),

  GatherV2: (n, ctx) => {
    const [params, indices, axisRef] = dataInputs(n);
    if (attr.int(n, 'batch_dims') !== 0) throw new Error(`node "${n.name}" (GatherV2): batch_dims is not supported`);
    const y = ctx.node('Gather', [ctx.nhwc(params), ctx.nhwc(indices)], n.name, { axis: axisValue(ctx, n, axisRef) });
    ctx.set(n.name, { nhwc: y, type: tType(n, 'Tparams') });
  },

  GatherNd: (n, ctx) => {
    const [params, indices] = dataInputs(n);
    const y = ctx.node('GatherND', [ctx.nhwc(params), ctx.asInt64(indices, `${n.name}/indices`)], n.name);
    ctx.set(n.name, { nhwc: y, type: tType(n, 'Tparams') });
  },

  TopKV2: (n, ctx) => {
    const [x, k] = dataInputs(n);
    const kRef = ctx.node('Reshape', [ctx.asInt64(k, `${n.name}/k`), ctx.int64(`${n.name}/one`, [1])], `${n.name}/k1`);
    const [values, indices] = ctx.graph.addNode('TopK', [ctx.nhwc(x), kRef], {
      name: `${n.name}/topk`,
      outputs: 2,
      attrs: { axis: -1, largest: 1, sorted: 1 },
    });
    ctx.set(n.name, { nhwc: ctx.node('Identity', [values], n.name), type: tType(n) });
    ctx.set(`${n.name}:1`, { nhwc: ctx.node('Cast', [indices], `${n.name}:1`, { to: OnnxType.int32 }), type: OnnxType.int32 });
  },
};

function pad(n: TfNode, ctx: ConvertContext): void {
  const [x, paddings, constant] = dataInputs(n);
  const p = Array.from(ctx.requireValue(paddings, n, 'the paddings').data, Number);
  const rank = p.length / 2;
  const before = Array.from({ length: rank }, (_, i) => p[2 * i]);
  const after = Array.from({ length: rank }, (_, i) => p[2 * i + 1]);
  const useNchw = rank === 4 && ctx.hasNchw(x);
  const order = useNchw ? [0, 3, 1, 2] : before.map((_, i) => i);
  const pads = ctx.int64(`${n.name}/pads`, [...order.map((i) => before[i]), ...order.map((i) => after[i])]);
  const inputs = [useNchw ? ctx.nchw(x) : ctx.nhwc(x), pads];
  if (constant) inputs.push(ctx.nhwc(constant));
  const y = ctx.node('Pad', inputs, n.name, { mode: 'constant' });
  ctx.set(n.name, useNchw ? { nchw: y } : { nhwc: y, type: tType(n) });
}

/** TF StridedSlice → Slice, then Squeeze for shrink_axis. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: follows TF's StridedSlice semantics (masks per axis) step by step, checked by the agreement tests
function stridedSlice(n: TfNode, ctx: ConvertContext): void {
  const [x, beginRef, endRef, stridesRef] = dataInputs(n);
  const begin = Array.from(ctx.requireValue(beginRef, n, 'begin').data, Number);
  const end = Array.from(ctx.requireValue(endRef, n, 'end').data, Number);
  const strides = Array.from(ctx.requireValue(stridesRef, n, 'strides').data, Number);
  const mask = (key: string, i: number): boolean => ((attr.int(n, key) >> i) & 1) === 1;
  // Neither is used by the default models, and TFJS itself disagrees with TF on new_axis here.
  for (const key of ['ellipsis_mask', 'new_axis_mask']) {
    if (attr.int(n, key) !== 0) throw new Error(`node "${n.name}" (StridedSlice): ${key} is not supported`);
  }
  const starts: number[] = [];
  const ends: number[] = [];
  const shrink: number[] = [];
  for (let i = 0; i < begin.length; i++) {
    const s = strides[i];
    if (mask('shrink_axis_mask', i)) {
      starts.push(begin[i]);
      ends.push(begin[i] === -1 ? INT64_MAX : begin[i] + 1);
      shrink.push(i);
    } else {
      starts.push(mask('begin_mask', i) ? (s > 0 ? 0 : INT64_MAX) : begin[i]);
      ends.push(mask('end_mask', i) ? (s > 0 ? INT64_MAX : -INT64_MAX) : end[i]);
    }
  }
  const steps = strides.map((s, i) => (shrink.includes(i) ? 1 : s));
  const name = (s: string): string => `${n.name}/${s}`;
  const axes = begin.map((_, i) => i);
  let y = ctx.node(
    'Slice',
    [ctx.nhwc(x), ctx.int64(name('starts'), starts), ctx.int64(name('ends'), ends), ctx.int64(name('axes'), axes), ctx.int64(name('steps'), steps)],
    shrink.length ? name('slice') : n.name,
  );
  if (shrink.length) y = ctx.node('Squeeze', [y, ctx.int64(name('shrink'), shrink)], n.name);
  ctx.set(n.name, { nhwc: y, type: tType(n) ?? ctx.typeOf(x) });
}
