import * as ort from 'onnxruntime-node';
import { convertGraph } from '../../src/convert/convert.js';
import { parseTfjsGraph, type ModelJson, type TfAttr, type TfNode } from '../../src/convert/tfjs-model.js';
import { relativeError, TfjsReference, type FeedTensor } from './tfjs-reference.js';

/** Hand-made TFJS graphs, run by TFJS and by our ONNX, to check one op mapping at a time. */

export type AttrSpec = { type: string } | { s: string } | { i: number } | { f: number } | { b: boolean } | { ints: number[] } | { strs: string[] };

export interface GraphSpec {
  inputs: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32' }>;
  consts?: Array<{ name: string; dtype: 'float32' | 'int32'; shape: number[]; values: number[] }>;
  nodes: Array<{ name: string; op: string; inputs?: string[]; attrs?: Record<string, AttrSpec> }>;
  outputs: string[];
}

const TF_DTYPE = { float32: 'DT_FLOAT', int32: 'DT_INT32' } as const;

function toAttr(a: AttrSpec): TfAttr {
  if ('s' in a) return { s: Buffer.from(a.s).toString('base64') };
  if ('i' in a) return { i: String(a.i) };
  if ('ints' in a) return { list: { i: a.ints.map(String) } };
  if ('strs' in a) return { list: { s: a.strs.map((s) => Buffer.from(s).toString('base64')) } };
  return a;
}

export function buildGraph(spec: GraphSpec): { json: ModelJson; weights: Uint8Array } {
  const consts = spec.consts ?? [];
  const nodes: TfNode[] = [
    ...spec.inputs.map((i) => ({
      name: i.name,
      op: 'Placeholder',
      attr: { dtype: { type: TF_DTYPE[i.dtype] }, shape: { shape: { dim: i.shape.map((size) => ({ size: String(size) })) } } },
    })),
    ...consts.map((c) => ({ name: c.name, op: 'Const', attr: { dtype: { type: TF_DTYPE[c.dtype] }, value: { tensor: {} } } })),
    ...spec.nodes.map((n) => ({
      name: n.name,
      op: n.op,
      input: n.inputs ?? [],
      attr: Object.fromEntries(Object.entries(n.attrs ?? {}).map(([k, v]) => [k, toAttr(v)])),
    })),
  ];
  const bytes = consts.map((c) => new Uint8Array((c.dtype === 'int32' ? Int32Array.from(c.values) : Float32Array.from(c.values)).buffer));
  const json: ModelJson = {
    format: 'graph-model',
    modelTopology: { node: nodes, versions: { producer: 1 } },
    weightsManifest: [{ paths: [], weights: consts.map((c) => ({ name: c.name, shape: c.shape, dtype: c.dtype })) }],
    signature: { outputs: Object.fromEntries(spec.outputs.map((o) => [o, { name: o }])) },
  };
  return { json, weights: Buffer.concat(bytes) };
}

/** Runs the graph in TFJS and, converted, in onnxruntime; returns both results and ‖Δ‖/‖ref‖ per output. */
export async function compareGraph(
  spec: GraphSpec,
  feeds: FeedTensor[],
): Promise<Array<{ output: string; error: number; onnx: number[]; tfjs: number[]; dims: readonly number[] }>> {
  const { json, weights } = buildGraph(spec);
  const converted = convertGraph(parseTfjsGraph(json, [weights]), 'test');
  const session = await ort.InferenceSession.create(converted.bytes, { graphOptimizationLevel: 'all' });
  const onnx = await session.run(Object.fromEntries(feeds.map((f) => [f.name, new ort.Tensor(f.dtype, f.data, f.shape)])));
  const reference = await TfjsReference.fromArtifacts(json, weights);
  const tfjs = await reference.run(feeds, spec.outputs);
  reference.dispose();
  await session.release();
  return spec.outputs.map((o) => {
    const a = Array.from(onnx[o].data as Float32Array, Number);
    const b = Array.from(tfjs.get(o)!, Number);
    return { output: o, error: relativeError(a, b), onnx: a, tfjs: b, dims: onnx[o].dims };
  });
}

/** Deterministic pseudo-random numbers in [lo, hi) (mulberry32). */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}
