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

/** A trained verifier as it is merged: its first layer already reads raw (unstandardised) inputs. */
export interface ExportedVerifier {
  /** Pooled features plus the extras (verifier.ts: the candidate's class and box shape). */
  dim: number;
  hidden: number;
  /** Outputs: "none", then each class of its head. */
  outputs: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/**
 * CenterNet cut to pool its deep features over a `size`² crop (training reads this, [1, 2240]):
 * what a candidate looks like as a whole, at the scale the backbone sees it best, where the
 * detector's head saw it as one cell of a whole photo.
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
  return finish(model, edit, [output(POOLED, [1, POOLED_FEATURES])]);
}

/** The crop features and the verifier's two layers: [1, size, size, 3] and its extras → class probabilities ("none" first). */
export function verifierModel(centernet: Uint8Array, v: ExportedVerifier, size = VERIFIER_CROP): Uint8Array {
  const extras = v.dim - POOLED_FEATURES;
  if (extras < 0) throw new Error(`a verifier reads ${v.dim} values, fewer than the ${POOLED_FEATURES} pooled features`);
  const model = onnx.ModelProto.decode(cropFeatureModel(centernet, size));
  const graph = model.graph as onnxProto.onnx.IGraphProto;
  const edit = new GraphEdit(graph.initializer ?? [], new Set([...(graph.node ?? []).flatMap((n) => n.output ?? [])]), 'argus_verify');
  graph.input = [...(graph.input ?? []), input(VERIFIER_EXTRAS_INPUT, [1, extras])];
  const x = edit.node('Concat', [POOLED, VERIFIER_EXTRAS_INPUT], 'argus_verify/x', { axis: 1 });
  const h = edit.node('Gemm', [x, edit.floats('argus_verify/w1', [v.hidden, v.dim], v.w1), edit.floats('argus_verify/b1', [v.hidden], v.b1)], 'argus_verify/hidden', { transB: 1 });
  const r = edit.node('Relu', [h], 'argus_verify/hidden_relu');
  const z = edit.node('Gemm', [r, edit.floats('argus_verify/w2', [v.outputs, v.hidden], v.w2), edit.floats('argus_verify/b2', [v.outputs], v.b2)], 'argus_verify/logits', {
    transB: 1,
  });
  edit.node('Softmax', [z], VERIFIER_PROBS, { axis: 1 });
  return finish(model, edit, [output(VERIFIER_PROBS, [1, v.outputs])]);
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
