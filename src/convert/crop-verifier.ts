import onnxProto from 'onnx-proto';
import { CENTERNET_TENSORS, FEATURE_SETS, featureModel } from '../train/feature-model.js';
import { GraphEdit } from './merge-head.js';

const { onnx } = onnxProto;

/** The crop a verifier sees, letterboxed into this square (a multiple of 32). */
export const VERIFIER_CROP = 128;
/** Pooled features of a crop: per deep source (feature-model.ts), its channels' means then their maxima. */
export const POOLED_FEATURES = FEATURE_SETS.deep.reduce((s, f) => s + 2 * f.channels, 0);
export const POOLED = 'argus_verify/pooled';
export const VERIFIER_EXTRAS_INPUT = 'argus_verify/extras';
export const VERIFIER_PROBS = 'argus_verify/probs';

/**
 * Where the box regressor looks (verifier.ts, "box"): two maps of the crop summed along each axis
 * into this many bins, so it sees where the object's edges lie, which the pooled values do not say:
 * the neck at stride 16 and the box head's depthwise filters at stride 4 (what CenterNet's own box
 * sizes are read from).
 */
export const PROFILE_BINS = 8;
export const PROFILED = [
  { tensor: 'tower_0/CenternetHead/Relu', channels: 256 },
  { tensor: CENTERNET_TENSORS.whDw, channels: 128 },
] as const;
/** Per profiled map, its channels' means in each column bin (x), then in each row bin (y): 6,144 values. */
export const PROFILE_FEATURES = PROFILED.reduce((s, f) => s + 2 * PROFILE_BINS * f.channels, 0);
export const PROFILES = 'argus_verify/profiles';
/** Where the candidate's box lies in its crop (crop.ts' boxPlace), for the box regressor. */
export const VERIFIER_PLACE_INPUT = 'argus_verify/place';
export const PLACE_VALUES = 4;
/** The box regressor's output: the candidate box's corrections (verifier.ts' refineBox). */
export const VERIFIER_DELTAS = 'argus_verify/deltas';

/** Two dense layers as they are merged: the first reads raw (unstandardised) inputs, the second gives final values. */
export interface ExportedLayers {
  dim: number;
  hidden: number;
  outputs: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/**
 * A trained verifier: the classifier gives "none", then each class of its head; the box regressor,
 * where trained, the box's four corrections. Each reads the crop's pooled features, its profiles,
 * the extras (verifier.ts: the candidate's class and box shape) and the box's place in its crop
 * (verifierInputs' `all`); a classifier trained before the thirtieth session reads the pooled
 * features and extras alone (`pooled`).
 */
export interface ExportedVerifier extends ExportedLayers {
  box?: ExportedLayers;
}

/** How many values a verifier giving `outputs` probabilities reads: its extras are its classes one-hot and two box-shape logs. */
export function verifierInputs(outputs: number): { pooled: number; all: number } {
  const extras = outputs + 1;
  return { pooled: POOLED_FEATURES + extras, all: POOLED_FEATURES + PROFILE_FEATURES + extras + PLACE_VALUES };
}

/**
 * CenterNet cut to pool its deep features over a `size`² crop (training reads this: [1, 2240]
 * pooled, [1, 6144] profiles): what a candidate looks like as a whole, at the scale the backbone
 * sees it best, where the detector's head saw it as one cell of a whole photo; and where its edges lie.
 */
export function cropFeatureModel(centernet: Uint8Array, size = VERIFIER_CROP): Uint8Array {
  const model = onnx.ModelProto.decode(featureModel(centernet, size, 'deep'));
  const graph = model.graph as onnxProto.onnx.IGraphProto;
  const edit = new GraphEdit(graph.initializer ?? [], new Set((graph.node ?? []).flatMap((n) => n.output ?? [])), 'argus_verify');
  const parts = FEATURE_SETS.deep.flatMap((f, i) => [
    edit.node('ReduceMean', [f.tensor], `argus_verify/mean${i}`, { axes: [2, 3], keepdims: 0 }),
    edit.node('ReduceMax', [f.tensor], `argus_verify/max${i}`, { axes: [2, 3], keepdims: 0 }),
  ]);
  edit.node('Concat', parts, POOLED, { axis: 1 });
  addProfiles(edit);
  return finish(model, edit, [output(POOLED, [1, POOLED_FEATURES]), output(PROFILES, [1, PROFILE_FEATURES])]);
}

/** Each profiled map [1, C, S, S] averaged over rows (x) and over columns (y), each axis then into PROFILE_BINS bins. */
function addProfiles(edit: GraphEdit): void {
  const parts = PROFILED.flatMap((f, i) =>
    (['x', 'y'] as const).map((axis) => {
      const line = edit.node('ReduceMean', [f.tensor], `argus_verify/profile${i}${axis}_line`, { axes: [axis === 'x' ? 2 : 3], keepdims: 0 });
      const bins = edit.node('Reshape', [line, edit.ints(`argus_verify/profile${i}${axis}_bins_shape`, [1, f.channels, PROFILE_BINS, -1])], `argus_verify/profile${i}${axis}_bins`);
      const mean = edit.node('ReduceMean', [bins], `argus_verify/profile${i}${axis}_mean`, { axes: [3], keepdims: 0 });
      return edit.node('Reshape', [mean, edit.ints(`argus_verify/profile${i}${axis}_shape`, [1, f.channels * PROFILE_BINS])], `argus_verify/profile${i}${axis}`);
    }),
  );
  edit.node('Concat', parts, PROFILES, { axis: 1 });
}

/**
 * The crop features and the verifier's layers: [1, size, size, 3], its extras and (for a verifier
 * reading `all`, or with a box regressor) the box's place in its crop → class probabilities ("none"
 * first) and, with a box regressor, the box's corrections.
 */
export function verifierModel(centernet: Uint8Array, v: ExportedVerifier, size = VERIFIER_CROP): Uint8Array {
  const sizes = verifierInputs(v.outputs);
  const all = v.dim === sizes.all;
  if (!all && v.dim !== sizes.pooled) throw new Error(`a verifier giving ${v.outputs} probabilities reads ${sizes.all} values (or ${sizes.pooled}), not ${v.dim}`);
  const b = v.box;
  if (b && b.dim !== sizes.all) throw new Error(`a box regressor reads ${b.dim} values, not ${sizes.all}`);
  if (b && b.outputs !== 4) throw new Error(`a box regressor gives 4 corrections, not ${b.outputs}`);
  const model = onnx.ModelProto.decode(cropFeatureModel(centernet, size));
  const graph = model.graph as onnxProto.onnx.IGraphProto;
  const edit = new GraphEdit(graph.initializer ?? [], new Set([...(graph.node ?? []).flatMap((n) => n.output ?? [])]), 'argus_verify');
  graph.input = [...(graph.input ?? []), input(VERIFIER_EXTRAS_INPUT, [1, v.outputs + 1])];
  if (all || b) graph.input = [...graph.input, input(VERIFIER_PLACE_INPUT, [1, PLACE_VALUES])];
  const wide = all || b ? edit.node('Concat', [POOLED, PROFILES, VERIFIER_EXTRAS_INPUT, VERIFIER_PLACE_INPUT], 'argus_verify/all', { axis: 1 }) : '';
  const x = all ? wide : edit.node('Concat', [POOLED, VERIFIER_EXTRAS_INPUT], 'argus_verify/x', { axis: 1 });
  const h = edit.node('Gemm', [x, edit.floats('argus_verify/w1', [v.hidden, v.dim], v.w1), edit.floats('argus_verify/b1', [v.hidden], v.b1)], 'argus_verify/hidden', { transB: 1 });
  const r = edit.node('Relu', [h], 'argus_verify/hidden_relu');
  const z = edit.node('Gemm', [r, edit.floats('argus_verify/w2', [v.outputs, v.hidden], v.w2), edit.floats('argus_verify/b2', [v.outputs], v.b2)], 'argus_verify/logits', {
    transB: 1,
  });
  edit.node('Softmax', [z], VERIFIER_PROBS, { axis: 1 });
  if (!b) return finish(model, edit, [output(VERIFIER_PROBS, [1, v.outputs])]);
  const bh = edit.node(
    'Gemm',
    [wide, edit.floats('argus_verify/box_w1', [b.hidden, b.dim], b.w1), edit.floats('argus_verify/box_b1', [b.hidden], b.b1)],
    'argus_verify/box_hidden',
    {
      transB: 1,
    },
  );
  const br = edit.node('Relu', [bh], 'argus_verify/box_hidden_relu');
  edit.node('Gemm', [br, edit.floats('argus_verify/box_w2', [4, b.hidden], b.w2), edit.floats('argus_verify/box_b2', [4], b.b2)], VERIFIER_DELTAS, { transB: 1 });
  return finish(model, edit, [output(VERIFIER_PROBS, [1, v.outputs]), output(VERIFIER_DELTAS, [1, 4])]);
}

function finish(model: onnxProto.onnx.ModelProto, edit: GraphEdit, outputs: onnxProto.onnx.IValueInfoProto[]): Uint8Array {
  const graph = model.graph as onnxProto.onnx.IGraphProto;
  graph.node = [...(graph.node ?? []), ...edit.added];
  graph.initializer = edit.inits;
  graph.output = outputs;
  prune(graph);
  return onnx.ModelProto.encode(model).finish();
}

/** Drops what the outputs do not depend on (the box head the feature model also gives). */
function prune(graph: onnxProto.onnx.IGraphProto): void {
  const needed = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const kept: onnxProto.onnx.INodeProto[] = [];
  for (const n of [...(graph.node ?? [])].reverse()) {
    if (!(n.output ?? []).some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const x of n.input ?? []) if (x) needed.add(x);
  }
  graph.node = kept.reverse();
  graph.initializer = (graph.initializer ?? []).filter((t) => needed.has(t.name ?? ''));
}

const shape = (dims: number[]) => ({ tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } });
const output = (name: string, dims: number[]) => onnx.ValueInfoProto.create({ name, type: shape(dims) });
const input = output;

/** The input tensor's name (CenterNet's). */
export const VERIFIER_IMAGE_INPUT = CENTERNET_TENSORS.input;
