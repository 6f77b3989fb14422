import { transposeData, type ConvertContext } from '../context.js';
import { attr, dataInputs } from '../tf-attr.js';
import { OnnxType, type AttrValue } from '../onnx-writer.js';
import type { TfNode } from '../tfjs-model.js';
import type { OpMapper } from './op-mapper.js';

/** Convolutions, pooling and the other spatial ops: they run in NCHW, as ONNX defines them. */
export const convOps: Record<string, OpMapper> = {
  Conv2D: (n, ctx) => conv(n, ctx, false),
  _FusedConv2D: (n, ctx) => conv(n, ctx, false),
  DepthwiseConv2dNative: (n, ctx) => conv(n, ctx, true),
  FusedDepthwiseConv2dNative: (n, ctx) => conv(n, ctx, true),
  MaxPool: (n, ctx) => pool(n, ctx, 'MaxPool'),
  AvgPool: (n, ctx) => pool(n, ctx, 'AveragePool'),
  ResizeBilinear: (n, ctx) => resize(n, ctx, 'linear'),
  ResizeNearestNeighbor: (n, ctx) => resize(n, ctx, 'nearest'),
  DepthToSpace: (n, ctx) => {
    requireNhwc(n);
    const [x] = dataInputs(n);
    const y = ctx.node('DepthToSpace', [ctx.nchw(x)], n.name, { blocksize: attr.int(n, 'block_size'), mode: 'DCR' });
    ctx.set(n.name, { nchw: y });
  },
};

function requireNhwc(n: TfNode): void {
  const format = attr.str(n, 'data_format', 'NHWC');
  if (format !== 'NHWC') throw new Error(`node "${n.name}" (${n.op}): data_format ${format} is not supported`);
}

/** SAME / VALID / EXPLICIT padding as ONNX attributes (TF's SAME puts the odd pixel at the end). */
function padding(n: TfNode): Record<string, AttrValue> {
  const mode = attr.str(n, 'padding', 'VALID');
  if (mode === 'SAME') return { auto_pad: 'SAME_UPPER' };
  if (mode === 'VALID') return { pads: [0, 0, 0, 0] };
  if (mode === 'EXPLICIT') {
    const p = attr.ints(n, 'explicit_paddings'); // NHWC pairs
    return { pads: [p[2], p[4], p[3], p[5]] };
  }
  throw new Error(`node "${n.name}" (${n.op}): padding ${mode} is not supported`);
}

function spatial(n: TfNode, key: string): number[] {
  const v = attr.ints(n, key);
  return v.length === 4 ? [v[1], v[2]] : [1, 1];
}

function conv(n: TfNode, ctx: ConvertContext, depthwise: boolean): void {
  requireNhwc(n);
  const [x, filterRef, ...args] = dataInputs(n);
  const filter = ctx.requireValue(filterRef, n, 'the filter');
  const [kh, kw, cin, cout] = filter.shape; // depthwise: cout is the channel multiplier
  // TF HWIO → ONNX OIHW; depthwise HWCM → (C·M)1HW, output channel c·M + m as in TF.
  const w = depthwise
    ? { shape: [cin * cout, 1, kh, kw], data: transposeData(filter.data as Float32Array, [kh, kw, cin * cout], [2, 0, 1]) }
    : { shape: [cout, cin, kh, kw], data: transposeData(filter.data as Float32Array, [kh, kw, cin, cout], [3, 2, 0, 1]) };
  const wName = ctx.graph.addInitializer(`${n.name}/W`, { type: OnnxType.float, dims: w.shape, data: w.data });

  const fused = attr.strs(n, 'fused_ops');
  const inputs = [ctx.nchw(x), wName];
  if (fused[0] === 'BiasAdd') inputs.push(ctx.nhwc(args[0]));
  else if (fused.length > 0) throw new Error(`node "${n.name}" (${n.op}): fused ops ${fused.join('+')} are not supported`);

  const attrs: Record<string, AttrValue> = {
    ...padding(n),
    strides: spatial(n, 'strides'),
    dilations: spatial(n, 'dilations'),
    kernel_shape: [kh, kw],
    group: depthwise ? cin : 1,
  };
  let y = ctx.node('Conv', inputs, fused.length > 1 ? `${n.name}/conv` : n.name, attrs);
  if (fused.length > 1) y = activation(ctx, n, fused[1], y, args.slice(1));
  ctx.set(n.name, { nchw: y });
}

/** The activation fused after a convolution or matmul. `nchw`: whether `y` is an NCHW activation. */
export function activation(ctx: ConvertContext, n: TfNode, op: string, y: string, args: string[], nchw = true): string {
  switch (op) {
    case 'Relu':
      return ctx.node('Relu', [y], n.name);
    case 'Relu6':
      return ctx.node('Clip', [y, ctx.float(`${n.name}/min`, [0], []), ctx.float(`${n.name}/max`, [6], [])], n.name);
    case 'Elu':
      return ctx.node('Elu', [y], n.name, { alpha: { float: 1 } });
    case 'Sigmoid':
      return ctx.node('Sigmoid', [y], n.name);
    case 'LeakyRelu':
      return ctx.node('LeakyRelu', [y], n.name, { alpha: { float: attr.float(n, 'leakyrelu_alpha', 0.2) } });
    case 'Prelu':
      return ctx.node('PRelu', [y, nchw ? ctx.nchw(args[0]) : ctx.nhwc(args[0])], n.name);
    default:
      throw new Error(`node "${n.name}" (${n.op}): fused activation ${op} is not supported`);
  }
}

function pool(n: TfNode, ctx: ConvertContext, op: string): void {
  requireNhwc(n);
  const [x] = dataInputs(n);
  const attrs: Record<string, AttrValue> = { ...padding(n), kernel_shape: spatial(n, 'ksize'), strides: spatial(n, 'strides') };
  // TF averages over the valid pixels only.
  if (op === 'AveragePool') attrs.count_include_pad = 0;
  ctx.set(n.name, { nchw: ctx.node(op, [ctx.nchw(x)], n.name, attrs) });
}

function resize(n: TfNode, ctx: ConvertContext, mode: 'linear' | 'nearest'): void {
  const [x, size] = dataInputs(n);
  const alignCorners = attr.bool(n, 'align_corners');
  const halfPixel = attr.bool(n, 'half_pixel_centers');
  const transform = alignCorners ? 'align_corners' : halfPixel ? (mode === 'nearest' ? 'tf_half_pixel_for_nn' : 'half_pixel') : 'asymmetric';
  const input = ctx.nchw(x);
  // Output sizes [N, C, H, W]: N and C from the input, H and W from the TF size tensor.
  const shape = ctx.node('Shape', [input], `${n.name}/shape`, { start: 0, end: 2 });
  const sizes = ctx.node('Concat', [shape, ctx.asInt64(size, `${n.name}/hw`)], `${n.name}/sizes`, { axis: 0 });
  const attrs: Record<string, AttrValue> = { mode, coordinate_transformation_mode: transform };
  if (mode === 'nearest') attrs.nearest_mode = alignCorners ? 'round_prefer_ceil' : 'floor';
  const y = ctx.graph.addNode('Resize', [input, '', '', sizes], { name: n.name, attrs })[0];
  ctx.set(n.name, { nchw: y });
}
