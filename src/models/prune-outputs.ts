import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * An ONNX model reduced to the outputs a caller reads: graph outputs outside `keep` are dropped,
 * then every node and initializer that no kept output depends on. onnxruntime runs every node of
 * a graph whatever outputs a run asks for, so a branch nobody reads (BlazePose's segmentation
 * mask and heatmap) costs as much as one that is read unless it is removed before the session
 * is made. What is kept is computed by exactly the same nodes as before.
 */
export function pruneToOutputs(bytes: Uint8Array, keep: readonly string[]): { bytes: Uint8Array; nodes: number; kept: number } {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const outputs = graph.output ?? [];
  const missing = keep.filter((k) => !outputs.some((o) => o.name === k));
  if (missing.length > 0) throw new Error(`model has no output ${missing.map((m) => `"${m}"`).join(', ')}`);
  const nodes = graph.node ?? [];
  const needed = new Set<string>(keep);
  const kept: typeof nodes = [];
  // Nodes are stored in topological order: walking back, a node is needed when it feeds one that is.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (!(n.output ?? []).some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const x of n.input ?? []) if (x) needed.add(x);
  }
  kept.reverse();
  graph.output = outputs.filter((o) => keep.includes(o.name ?? ''));
  graph.node = kept;
  graph.initializer = (graph.initializer ?? []).filter((t) => needed.has(t.name ?? ''));
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => needed.has(v.name ?? ''));
  return { bytes: onnx.ModelProto.encode(model).finish(), nodes: nodes.length, kept: kept.length };
}
