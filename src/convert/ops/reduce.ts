import { NCHW_AXIS_OF_NHWC, transposeData, type ConvertContext } from '../context.js';
import { attr, dataInputs, onnxTypeOfTf } from '../tf-attr.js';
import { OnnxType } from '../onnx-writer.js';
import type { TfNode } from '../tfjs-model.js';
import { activation } from './conv.js';
import type { OpMapper } from './op-mapper.js';

/** Reductions, arg-max, softmax and matrix products. */

function reduce(op: string): OpMapper {
  return (n, ctx) => {
    const [x, axesRef] = dataInputs(n);
    const axes = Array.from(ctx.requireValue(axesRef, n, 'the axes').data, Number);
    const keep = attr.bool(n, 'keep_dims');
    if (axes.length === 0) {
      ctx.set(n.name, { nhwc: ctx.node('Identity', [ctx.nhwc(x)], n.name) });
      return;
    }
    // In NCHW when the result keeps its dims, or when the dims left over are in the same order either way.
    const norm = axes.map((a) => (a + 4) % 4);
    const left = [0, 1, 2, 3].filter((a) => !norm.includes(a));
    const sameOrder = left.map((a) => NCHW_AXIS_OF_NHWC[a]).every((a, i, arr) => i === 0 || arr[i - 1] < a);
    const useNchw = ctx.hasNchw(x) && (keep || sameOrder);
    const input = useNchw ? ctx.nchw(x) : ctx.nhwc(x);
    const onnxAxes = useNchw ? norm.map((a) => NCHW_AXIS_OF_NHWC[a]) : axes;
    // Opset 17: ReduceSum takes its axes as an input, the others as an attribute.
    const y =
      op === 'ReduceSum'
        ? ctx.node(op, [input, ctx.int64(`${n.name}/axes`, onnxAxes)], n.name, { keepdims: keep ? 1 : 0 })
        : ctx.node(op, [input], n.name, { axes: onnxAxes, keepdims: keep ? 1 : 0 });
    const type = onnxTypeOfTf(attr.type(n, 'T'));
    ctx.set(n.name, useNchw && keep ? { nchw: y, type } : { nhwc: y, type });
  };
}

function argReduce(op: string): OpMapper {
  return (n, ctx) => {
    const [x, axisRef] = dataInputs(n);
    const axis = Number(ctx.requireValue(axisRef, n, 'the axis').data[0]);
    const idx = ctx.node(op, [ctx.nhwc(x)], `${n.name}/i64`, { axis, keepdims: 0 });
    const to = onnxTypeOfTf(attr.type(n, 'output_type')) ?? OnnxType.int64;
    ctx.set(n.name, { nhwc: ctx.node('Cast', [idx], n.name, { to }), type: to });
  };
}

function matMul(n: TfNode, ctx: ConvertContext): void {
  const [a, b, ...args] = dataInputs(n);
  if (attr.bool(n, 'transpose_a') || attr.bool(n, 'adj_x')) throw new Error(`node "${n.name}" (${n.op}): transpose_a is not supported`);
  let bName: string;
  const bValue = ctx.value(b);
  if (attr.bool(n, 'transpose_b') || attr.bool(n, 'adj_y')) {
    if (bValue?.shape.length !== 2) throw new Error(`node "${n.name}" (${n.op}): transpose_b needs a constant 2-D matrix`);
    const [r, c] = bValue.shape;
    bName = ctx.graph.addInitializer(`${n.name}/B`, { type: OnnxType.float, dims: [c, r], data: transposeData(bValue.data as Float32Array, [r, c], [1, 0]) });
  } else {
    bName = ctx.nhwc(b);
  }
  const fused = attr.strs(n, 'fused_ops');
  let y = ctx.node('MatMul', [ctx.nhwc(a), bName], fused.length ? `${n.name}/matmul` : n.name);
  if (fused[0] === 'BiasAdd') y = ctx.node('Add', [y, ctx.nhwc(args[0])], fused.length > 1 ? `${n.name}/bias` : n.name);
  else if (fused.length > 0) throw new Error(`node "${n.name}" (${n.op}): fused ops ${fused.join('+')} are not supported`);
  if (fused.length > 1) y = activation(ctx, n, fused[1], y, args.slice(1), false);
  ctx.set(n.name, { nhwc: y, type: OnnxType.float });
}

export const reduceOps: Record<string, OpMapper> = {
  Mean: reduce('ReduceMean'),
  Sum: reduce('ReduceSum'),
  Max: reduce('ReduceMax'),
  Min: reduce('ReduceMin'),
  Prod: reduce('ReduceProd'),
  ArgMax: argReduce('ArgMax'),
  ArgMin: argReduce('ArgMin'),
  Softmax: (n, ctx) => {
    const [x] = dataInputs(n);
    ctx.set(n.name, { nhwc: ctx.node('Softmax', [ctx.nhwc(x)], n.name, { axis: -1 }), type: OnnxType.float });
  },
  MatMul: matMul,
  BatchMatMul: matMul,
  BatchMatMulV2: matMul,
  _FusedMatMul: matMul,
};
