import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
export type GraphNode = onnxProto.onnx.INodeProto;

/** An ONNX model opened for a rewrite pass: its node and initializer lists, edited in place. */
export interface DecodedGraph {
  nodes: GraphNode[];
  inits: onnxProto.onnx.ITensorProto[];
  /** The nodes that read `tensor`, in graph order. */
  consumers(tensor: string): GraphNode[];
  /** The model with the edits, shapes left for onnxruntime to infer again. */
  encode(): Uint8Array;
}

export function decodeGraph(bytes: Uint8Array): DecodedGraph {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  if (!graph.node) graph.node = [];
  if (!graph.initializer) graph.initializer = [];
  const nodes = graph.node;
  return {
    nodes,
    inits: graph.initializer,
    consumers: (tensor) => nodes.filter((n) => (n.input ?? []).includes(tensor)),
    encode: () => {
      graph.valueInfo = [];
      return onnx.ModelProto.encode(model).finish();
    },
  };
}
