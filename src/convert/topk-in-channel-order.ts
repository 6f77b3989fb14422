import onnxProto from 'onnx-proto';
import { decodeGraph, type GraphNode } from './decoded-graph.js';

const { onnx } = onnxProto;

/** The peak-masked class map, NCHW, that TensorFlow's decode transposes to NHWC for its top-k. */
const PEAKS = 'tower_0/mul_1';
/** The class count the decode divides the top-k indices by (merge-head.ts patches it). */
const CLASS_COUNT = 'tower_0/strided_slice_7';

/**
 * CenterNet's top-k reads the class map in the order it is computed (channel by channel) instead
 * of transposed to TensorFlow's cell-by-cell order: the Transpose copied the whole 82 × 128 × 128
 * map every run (0.7 ms of 25–30, docs/benchmarks.md). Each of the k indices is then turned into
 * the index the rest of the decode expects: a channel-order index i is class i ÷ HW at cell
 * i mod HW, which in cell order is (i mod HW) · classes + i ÷ HW. Four integer ops on k values;
 * HW is read from the map's shape (any input size: free-input-size.ts) and the class count from
 * the decode's own constant (merged heads raise it). The same values are kept; only equal values
 * may come out in another order.
 */
export function topkInChannelOrder(bytes: Uint8Array): Uint8Array {
  const { nodes, inits, consumers, encode } = decodeGraph(bytes);
  const fail = (what: string): never => {
    throw new Error(`not the expected CenterNet decode: ${what}`);
  };
  if (!inits.some((t) => t.name === CLASS_COUNT)) fail(`no constant ${CLASS_COUNT}`);

  const transpose = consumers(PEAKS).find((n) => n.opType === 'Transpose') ?? fail(`no Transpose of ${PEAKS}`);
  const transposed = transpose.output?.[0] ?? '';
  const readers = consumers(transposed);
  const reshape = readers.find((n) => n.opType === 'Reshape') ?? fail('no Reshape before the top-k');
  if (readers.length !== 1) fail('the transposed map is read elsewhere');
  const topk = consumers(reshape.output?.[0] ?? '').find((n) => n.opType === 'TopK') ?? fail('no TopK');
  const indices = topk.output?.[1] ?? fail('no TopK indices');

  reshape.input = [PEAKS, ...(reshape.input ?? []).slice(1)];
  nodes.splice(nodes.indexOf(transpose), 1);

  const p = `${indices}/cell_order`;
  const int64 = (name: string, values: bigint[]) =>
    inits.push(onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.INT64, dims: [values.length], rawData: new Uint8Array(BigInt64Array.from(values).buffer) }));
  int64(`${p}/from`, [2n]);
  int64(`${p}/to`, [4n]);
  const node = (opType: string, name: string, input: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): GraphNode =>
    onnx.NodeProto.create({ opType, name: `${p}/${name}`, input, output: [`${p}/${name}`], attribute });
  const added = [
    node('Shape', 'shape', [PEAKS]),
    node('Slice', 'hw_dims', [`${p}/shape`, `${p}/from`, `${p}/to`]),
    node('ReduceProd', 'hw', [`${p}/hw_dims`], [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
    node('Cast', 'classes', [CLASS_COUNT], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.INT64 }]),
    node('Mod', 'cell', [indices, `${p}/hw`]),
    node('Div', 'class', [indices, `${p}/hw`]),
    node('Mul', 'cell_first', [`${p}/cell`, `${p}/classes`]),
    node('Add', 'index', [`${p}/cell_first`, `${p}/class`]),
  ];
  for (const r of consumers(indices)) r.input = (r.input ?? []).map((x) => (x === indices ? `${p}/index` : x));
  nodes.splice(nodes.indexOf(topk) + 1, 0, ...added);
  return encode();
}
