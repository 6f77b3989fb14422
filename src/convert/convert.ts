import { ConvertContext, UnsupportedOpError } from './context.js';
import { attr, dataInputs, onnxTypeOfTf } from './tf-attr.js';
import { OnnxGraphBuilder, OnnxType, type Dim } from './onnx-writer.js';
import { fusePatterns } from './fuse-patterns.js';
import { padChannels } from './pad-channels.js';
import { OP_TABLE } from './ops/op-table.js';
import { readTfjsGraph, type TfjsGraph, type TfNode } from './tfjs-model.js';

/** Bumped whenever the converter's output changes, so `models build` rebuilds. */
export const CONVERTER_VERSION = '16';

const PASS_THROUGH = new Set(['Identity', 'StopGradient', 'Snapshot', 'IdentityN']);

export type TensorDtype = 'float32' | 'int32' | 'int64' | 'bool' | 'uint8';

export interface ConvertedModel {
  bytes: Uint8Array;
  inputs: Array<{ name: string; shape: Dim[]; dtype: TensorDtype }>;
  /** `name` is the ONNX output (the TFJS signature key); `ref` the TF tensor it reads. */
  outputs: Array<{ name: string; ref: string; dtype: TensorDtype }>;
}

/** Converts a TFJS graph model (model.json + weight shards beside it) to ONNX bytes. */
export async function convertTfjsModel(modelJsonPath: string, name = 'model', opts: { channelMultiple?: number } = {}): Promise<ConvertedModel> {
  return convertGraph(await readTfjsGraph(modelJsonPath), name, opts);
}

/** `channelMultiple`: channel padding for onnxruntime's blocked layout (16; 0 turns it off, for A/B runs). */
export function convertGraph(source: TfjsGraph, name: string, opts: { channelMultiple?: number } = {}): ConvertedModel {
  const tf = fusePatterns(source);
  const byName = new Map(tf.nodes.map((n) => [n.name, n]));
  const order = topologicalOrder(
    byName,
    tf.outputs.map((o) => o.ref),
  );
  const unknown = order.filter((n) => !OP_TABLE[n.op] && !PASS_THROUGH.has(n.op) && n.op !== 'Placeholder' && n.op !== 'Const');
  if (unknown.length > 0) throw new UnsupportedOpError(unknown[0].op, unknown[0].name);

  const graph = new OnnxGraphBuilder();
  for (const o of tf.outputs) graph.reserve(o.key);
  for (const n of order) if (n.op === 'Placeholder') graph.reserve(n.name);
  const ctx = new ConvertContext(graph);
  const inputs: ConvertedModel['inputs'] = [];

  for (const n of order) {
    if (n.op === 'Placeholder') {
      const type = onnxTypeOfTf(attr.type(n, 'dtype')) ?? OnnxType.float;
      const shape: Dim[] = (n.attr?.shape?.shape?.dim ?? []).map((d, i) => {
        const size = Number(d.size ?? -1);
        return size >= 0 ? size : i === 0 ? 'N' : `${n.name}_${i}`;
      });
      graph.addInput(n.name, type, shape);
      inputs.push({ name: n.name, shape, dtype: dtypeName(type) });
      ctx.set(n.name, { nhwc: n.name, type });
    } else if (n.op === 'Const') {
      const value = tf.weights.get(n.name);
      if (!value) throw new Error(`constant "${n.name}" has no value in the weights manifest`);
      ctx.set(n.name, { value });
    } else if (PASS_THROUGH.has(n.op)) {
      ctx.alias(n.name, dataInputs(n)[0]);
    } else {
      OP_TABLE[n.op](n, ctx);
    }
  }

  const outputs = tf.outputs.map(({ key, ref }) => {
    const type = ctx.typeOf(ref) ?? OnnxType.float;
    graph.addNode('Identity', [ctx.nhwc(ref)], { name: `${key}/output`, outputs: [key] });
    graph.addOutput(key, type);
    return { name: key, ref, dtype: dtypeName(type) };
  });
  if (opts.channelMultiple !== 0) padChannels(graph.nodeList, graph.initializerList, graph.outputNames, opts.channelMultiple ?? 16);
  const bytes = graph.encode({ graphName: name, producer: `argus-tfjs-convert ${CONVERTER_VERSION}` });
  return { bytes, inputs, outputs };
}

function dtypeName(t: OnnxType): TensorDtype {
  const names: Record<number, TensorDtype> = { 1: 'float32', 6: 'int32', 7: 'int64', 9: 'bool', 2: 'uint8' };
  return names[t];
}

/** The nodes the outputs depend on, producers first (iterative DFS: graphs can be deep). */
function topologicalOrder(byName: Map<string, TfNode>, outputRefs: string[]): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: Array<{ node: TfNode; next: number }> = [];
  const push = (ref: string): void => {
    const nodeName = ref.replace(/^\^/, '').split(':')[0];
    const node = byName.get(nodeName);
    if (!node) throw new Error(`the graph reads tensor "${ref}", which no node produces`);
    const s = state.get(nodeName);
    if (s === 'done') return;
    if (s === 'open') throw new Error(`the graph has a cycle through "${nodeName}"`);
    state.set(nodeName, 'open');
    stack.push({ node, next: 0 });
  };
  for (const ref of outputRefs) {
    push(ref);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const ins = dataInputs(top.node);
      if (top.next < ins.length) push(ins[top.next++]);
      else {
        stack.pop();
        state.set(top.node.name, 'done');
        order.push(top.node);
      }
    }
  }
  return order;
}
