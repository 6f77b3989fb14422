import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;

/**
 * CenterNet's decode finds its peaks on the class logits and takes the sigmoid of the top-k only.
 *
 * As converted, the decode takes the (exact) sigmoid of every cell of the class map, keeps the
 * cells equal to their 3×3 max-pool (`Equal`, `Cast` to float, `Mul`: 0 elsewhere) and picks the
 * top k of what is left. The sigmoid is strictly increasing, so the same cells are peaks of the
 * logits and rank in the same order: here the max-pool and the test read the logits, the other
 * cells become −∞ (`Where`), and the sigmoid is taken of the k values the top-k keeps, with the
 * same four ops (1 / (1 + e^−x), convert/ops/elementwise.ts says why not ONNX Sigmoid). The whole
 * map's sigmoid and the Cast are gone from the run (both about 1.2 ms of CenterNet's 25–30,
 * docs/benchmarks.md). Scores are the same numbers; a −∞ cell's sigmoid is 0, as its product
 * with 0 was. Where two neighbouring logits both round to a sigmoid of 1.0 in float32, only the
 * larger is a peak now (the other was a second box on the same object, which NMS removed).
 *
 * The map's sigmoid stays in the graph for its heatmap output (`keypoints`), which Argus prunes.
 */
export function peaksOnLogits(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const nodes = graph.node ?? [];
  if (!graph.initializer) graph.initializer = [];
  const inits = graph.initializer;
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  const consumers = (tensor: string) => nodes.filter((n) => (n.input ?? []).includes(tensor));
  const fail = (what: string): never => {
    throw new Error(`not the expected CenterNet decode: ${what}`);
  };

  const pool = nodes.find((n) => n.opType === 'MaxPool' && sigmoidInput(producer, n.input?.[0] ?? '') !== undefined) ?? fail('no MaxPool over a sigmoid');
  const sigmoid = pool.input?.[0] ?? '';
  const logits = sigmoidInput(producer, sigmoid) ?? fail('no sigmoid input');
  const peak = pool.output?.[0] ?? '';
  const equal = consumers(peak).find((n) => n.opType === 'Equal' && n.input?.includes(sigmoid)) ?? fail('no Equal of the sigmoid and its max-pool');
  const cast = consumers(equal.output?.[0] ?? '').find((n) => n.opType === 'Cast') ?? fail('no Cast of the peak test');
  const mul = consumers(cast.output?.[0] ?? '').find((n) => n.opType === 'Mul' && n.input?.includes(sigmoid)) ?? fail('no Mul by the peak test');
  const topk = nodes.find((n) => n.opType === 'TopK') ?? fail('no TopK');
  if (consumers(equal.output?.[0] ?? '').length !== 1 || consumers(cast.output?.[0] ?? '').length !== 1) fail('the peak test is read elsewhere');

  pool.input = [logits];
  equal.input = [logits, peak];
  const minusInf = `${mul.name}/minus_inf`;
  inits.push(
    onnx.TensorProto.create({ name: minusInf, dataType: onnx.TensorProto.DataType.FLOAT, dims: [], rawData: new Uint8Array(Float32Array.of(Number.NEGATIVE_INFINITY).buffer) }),
  );
  mul.opType = 'Where';
  mul.input = [equal.output?.[0] ?? '', logits, minusInf];
  nodes.splice(nodes.indexOf(cast), 1);

  // the k scores: sigmoid of the kept logits, read where the values were
  const values = topk.output?.[0] ?? fail('no TopK values');
  const p = `${values}/sigmoid`;
  const one = `${p}/one`;
  inits.push(onnx.TensorProto.create({ name: one, dataType: onnx.TensorProto.DataType.FLOAT, dims: [], rawData: new Uint8Array(Float32Array.of(1).buffer) }));
  const readers = consumers(values);
  const added = [
    onnx.NodeProto.create({ opType: 'Neg', name: `${p}/neg`, input: [values], output: [`${p}/neg`] }),
    onnx.NodeProto.create({ opType: 'Exp', name: `${p}/exp`, input: [`${p}/neg`], output: [`${p}/exp`] }),
    onnx.NodeProto.create({ opType: 'Add', name: `${p}/add`, input: [`${p}/exp`, one], output: [`${p}/add`] }),
    onnx.NodeProto.create({ opType: 'Reciprocal', name: p, input: [`${p}/add`], output: [p] }),
  ];
  for (const r of readers) r.input = (r.input ?? []).map((x) => (x === values ? p : x));
  nodes.splice(nodes.indexOf(topk) + 1, 0, ...added);
  graph.valueInfo = [];
  return onnx.ModelProto.encode(model).finish();
}

/** x when `tensor` is 1 / (1 + e^−x) as the converter writes a sigmoid (Neg, Exp, Add, Reciprocal). */
function sigmoidInput(producer: Map<string, Node>, tensor: string): string | undefined {
  const rec = producer.get(tensor);
  if (rec?.opType !== 'Reciprocal') return undefined;
  const add = producer.get(rec.input?.[0] ?? '');
  if (add?.opType !== 'Add') return undefined;
  const exp = (add.input ?? []).map((i) => producer.get(i)).find((n) => n?.opType === 'Exp');
  const neg = producer.get(exp?.input?.[0] ?? '');
  return neg?.opType === 'Neg' ? neg.input?.[0] : undefined;
}
