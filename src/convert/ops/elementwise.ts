import type { ConvertContext } from '../context.js';
import { attr, dataInputs, onnxTypeOfTf } from '../tf-attr.js';
import { OnnxType } from '../onnx-writer.js';
import type { TfNode } from '../tfjs-model.js';
import type { OpMapper } from './op-mapper.js';

/**
 * Elementwise ops work in any layout: they run in NCHW when their activation inputs already exist
 * in NCHW (constants are rearranged to broadcast the same way), so no Transpose is added for them.
 */
type Emit = (ctx: ConvertContext, n: TfNode, xs: string[]) => string;

function elementwise(emit: Emit, type?: (ctx: ConvertContext, n: TfNode) => OnnxType | undefined): OpMapper {
  return (n, ctx) => {
    const xs = dataInputs(n);
    const activations = xs.filter((x) => !ctx.value(x));
    const useNchw =
      activations.length > 0 &&
      (activations.every((x) => ctx.hasNchw(x)) || (activations.length === 1 && xs.some((x) => perChannel(ctx.value(x))))) &&
      xs.every((x) => !ctx.value(x) || ctx.value(x)!.shape.length <= 4);
    const y = emit(
      ctx,
      n,
      xs.map((x) => (useNchw ? ctx.nchw(x) : ctx.nhwc(x))),
    );
    const t = type ? type(ctx, n) : (onnxTypeOfTf(attr.type(n, 'T')) ?? ctx.typeOf(xs[0]));
    ctx.set(n.name, useNchw ? { nchw: y, type: t } : { nhwc: y, type: t });
  };
}

/**
 * A [1, 1, 1, C] constant: a per-channel normalisation of an NHWC image (MoveNet's (x − mean) /
 * std). onnxruntime broadcasts it over NHWC element by element (0.35 ms per op at 192² × 3); in
 * NCHW it is one scalar per plane, so the op moves after the transpose the convolutions need anyway.
 */
function perChannel(t: { shape: number[] } | undefined): boolean {
  return t !== undefined && t.shape.length === 4 && t.shape[0] === 1 && t.shape[1] === 1 && t.shape[2] === 1 && t.shape[3] > 1;
}

/**
 * PReLU with one slope per channel, written as x·α + relu(x)·(1 − α): two BatchNormalizations
 * (a per-channel scale, nothing else) and an Add. onnxruntime runs those inside its blocked NCHWc
 * layout (BatchNormalization as a 1×1 depthwise convolution, the Add fused into it), where PRelu
 * has no kernel: each PRelu cost a reorder out of the layout and one back (MobileFaceNet: 17
 * PReLUs, 34 reorders, a third of its run). Within an ulp of PRelu for x > 0, exact for x ≤ 0.
 * False (nothing emitted) where the slope is not a per-channel constant.
 */
function preluAsScales(n: TfNode, ctx: ConvertContext): boolean {
  const [x, slope] = dataInputs(n);
  const alpha = ctx.value(slope);
  if (!alpha || ctx.value(x) || alpha.dtype !== 'float32' || alpha.data.length < 2) return false;
  // one value per channel: every dimension but the last (NHWC's channels) is 1
  if (alpha.shape.slice(0, -1).some((d) => d !== 1) || alpha.shape.length > 4) return false;
  const a = Array.from(alpha.data);
  const zeros = ctx.float(
    `${n.name}/zeros`,
    a.map(() => 0),
  );
  const ones = ctx.float(
    `${n.name}/ones`,
    a.map(() => 1),
  );
  const scale = (input: string, factors: number[], name: string) =>
    ctx.node('BatchNormalization', [input, ctx.float(`${name}/scale`, factors), zeros, zeros, ones], name, { epsilon: { float: 0 } });
  const input = ctx.nchw(x);
  const negative = scale(input, a, `${n.name}/slope`);
  const positive = scale(
    ctx.node('Relu', [input], `${n.name}/relu`),
    a.map((v) => 1 - v),
    `${n.name}/rest`,
  );
  ctx.set(n.name, { nchw: ctx.node('Add', [negative, positive], n.name), type: OnnxType.float });
  return true;
}

const simple = (op: string): OpMapper => elementwise((ctx, n, xs) => ctx.node(op, xs, n.name));

const isInt = (ctx: ConvertContext, n: TfNode, x: string): boolean => {
  const t = onnxTypeOfTf(attr.type(n, 'T')) ?? ctx.typeOf(x);
  return t === OnnxType.int32 || t === OnnxType.int64;
};

export const elementwiseOps: Record<string, OpMapper> = {
  Add: simple('Add'),
  AddV2: simple('Add'),
  BiasAdd: simple('Add'),
  Sub: simple('Sub'),
  Mul: simple('Mul'),
  RealDiv: simple('Div'),
  Maximum: simple('Max'),
  Minimum: simple('Min'),
  AddN: simple('Sum'),
  Prelu: (n, ctx) => {
    if (!preluAsScales(n, ctx)) simple('PRelu')(n, ctx);
  },
  // Made by fusePatterns: MobileNetV3's (x·⅙)·relu6(x + 3), and max(min(x, hi), lo).
  _HardSwish: simple('HardSwish'),
  _Clip: elementwise((ctx, n, [x]) =>
    ctx.node('Clip', [x, ctx.float(`${n.name}/min`, [attr.float(n, 'clip_min')], []), ctx.float(`${n.name}/max`, [attr.float(n, 'clip_max')], [])], n.name),
  ),
  Relu: simple('Relu'),
  // 1 / (1 + e^−x), not ONNX Sigmoid: onnxruntime's fast logistic loses relative precision in the
  // tail (2.9e-3 at 5e-6, BlazePose's pose flag on noise), where TF computes it exactly.
  Sigmoid: elementwise((ctx, n, [x]) => {
    const e = ctx.node('Exp', [ctx.node('Neg', [x], `${n.name}/neg`)], `${n.name}/exp`);
    return ctx.node('Reciprocal', [ctx.node('Add', [e, ctx.float(`${n.name}/one`, [1], [])], `${n.name}/add`)], n.name);
  }),
  Tanh: simple('Tanh'),
  Abs: simple('Abs'),
  Neg: simple('Neg'),
  Exp: simple('Exp'),
  Log: simple('Log'),
  Sqrt: simple('Sqrt'),
  Floor: simple('Floor'),
  Elu: simple('Elu'),
  Equal: elementwise(
    (ctx, n, xs) => ctx.node('Equal', xs, n.name),
    () => OnnxType.bool,
  ),
  Greater: elementwise(
    (ctx, n, xs) => ctx.node('Greater', xs, n.name),
    () => OnnxType.bool,
  ),
  Less: elementwise(
    (ctx, n, xs) => ctx.node('Less', xs, n.name),
    () => OnnxType.bool,
  ),
  Relu6: elementwise((ctx, n, [x]) => ctx.node('Clip', [x, ctx.float(`${n.name}/min`, [0], []), ctx.float(`${n.name}/max`, [6], [])], n.name)),
  LeakyRelu: elementwise((ctx, n, [x]) => ctx.node('LeakyRelu', [x], n.name, { alpha: { float: attr.float(n, 'alpha', 0.2) } })),
  Rsqrt: elementwise((ctx, n, [x]) => ctx.node('Reciprocal', [ctx.node('Sqrt', [x], `${n.name}/sqrt`)], n.name)),
  Square: elementwise((ctx, n, [x]) => ctx.node('Mul', [x, x], n.name)),
  SquaredDifference: elementwise((ctx, n, [a, b]) => {
    const d = ctx.node('Sub', [a, b], `${n.name}/diff`);
    return ctx.node('Mul', [d, d], n.name);
  }),
  // TF floors; ONNX Div truncates integers, so floor(a/b) = (a - floormod(a, b)) / b, exactly.
  FloorDiv: elementwise((ctx, n, [a, b]) => {
    if (!isInt(ctx, n, dataInputs(n)[0])) return ctx.node('Floor', [ctx.node('Div', [a, b], `${n.name}/div`)], n.name);
    const mod = ctx.node('Mod', [a, b], `${n.name}/mod`, { fmod: 0 });
    return ctx.node('Div', [ctx.node('Sub', [a, mod], `${n.name}/sub`), b], n.name);
  }),
  // ONNX Mod with fmod=0 is the floored modulo for integers; floats need a - b·floor(a/b).
  FloorMod: elementwise((ctx, n, [a, b]) => {
    if (isInt(ctx, n, dataInputs(n)[0])) return ctx.node('Mod', [a, b], n.name, { fmod: 0 });
    const q = ctx.node('Floor', [ctx.node('Div', [a, b], `${n.name}/div`)], `${n.name}/floor`);
    return ctx.node('Sub', [a, ctx.node('Mul', [b, q], `${n.name}/mul`)], n.name);
  }),
  Cast: elementwise(
    (ctx, n, [x]) => {
      const to = onnxTypeOfTf(attr.type(n, 'DstT'));
      if (to === undefined) throw new Error(`node "${n.name}" (Cast): destination type ${attr.type(n, 'DstT')} is not supported`);
      return ctx.node('Cast', [x], n.name, { to });
    },
    (_ctx, n) => onnxTypeOfTf(attr.type(n, 'DstT')),
  ),
};
