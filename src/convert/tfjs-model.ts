import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeWeights, type ConstTensor, type WeightSpec } from './weights.js';

/** One attribute of a TF NodeDef as tfjs-converter writes it to model.json. */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: { dim?: Array<{ size?: string | number }>; unknownRank?: boolean };
  list?: { s?: string[]; i?: Array<string | number>; f?: number[]; type?: string[] };
  tensor?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

export interface TfSignatureEntry {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: Array<{ size?: string | number }> };
}

/** model.json of a TFJS graph model, as far as the converter reads it. */
export interface ModelJson {
  format?: string;
  modelTopology: { node: TfNode[]; versions?: { producer?: number } };
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  signature?: { inputs?: Record<string, TfSignatureEntry>; outputs?: Record<string, TfSignatureEntry> };
  userDefinedMetadata?: { signature?: { inputs?: Record<string, TfSignatureEntry>; outputs?: Record<string, TfSignatureEntry> } };
}

/** A TFJS graph model read from disk: its nodes, de-quantised constants and signature. */
export interface TfjsGraph {
  nodes: TfNode[];
  weights: Map<string, ConstTensor>;
  /** Signature outputs: key (the name we give the ONNX output) → tensor reference such as `Identity:0`. */
  outputs: Array<{ key: string; ref: string }>;
}

export async function readTfjsGraph(modelJsonPath: string): Promise<TfjsGraph> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  if (!json.modelTopology?.node) throw new Error(`${modelJsonPath}: not a TFJS graph model (no modelTopology.node)`);
  const dir = dirname(modelJsonPath);
  const groups = await Promise.all(json.weightsManifest.map(async (g) => Buffer.concat(await Promise.all(g.paths.map((p) => readFile(join(dir, p)))))));
  return parseTfjsGraph(json, groups);
}

/** A graph from model.json and the bytes of each weights group (its shards concatenated). */
export function parseTfjsGraph(json: ModelJson, groupBytes: Uint8Array[]): TfjsGraph {
  const weights = new Map<string, ConstTensor>();
  json.weightsManifest.forEach((group, i) => {
    for (const [name, t] of decodeWeights(group.weights, groupBytes[i])) weights.set(name, t);
  });
  return { nodes: json.modelTopology.node, weights, outputs: signatureOutputs(json) };
}

function signatureOutputs(json: ModelJson): Array<{ key: string; ref: string }> {
  const sig = json.signature?.outputs ?? json.userDefinedMetadata?.signature?.outputs;
  if (sig && Object.keys(sig).length > 0) {
    return Object.entries(sig)
      .map(([key, e]) => ({ key, ref: e.name }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }
  // No signature: the sinks of the graph (nodes nobody reads) are its outputs.
  const consumed = new Set<string>();
  for (const n of json.modelTopology.node) for (const i of n.input ?? []) consumed.add(i.replace(/^\^/, '').split(':')[0]);
  return json.modelTopology.node.filter((n) => n.op !== 'Const' && !consumed.has(n.name)).map((n) => ({ key: n.name, ref: n.name }));
}
