import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Tensor = onnxProto.onnx.ITensorProto;

/** What the converted CenterNet fixes at 512×512, by tensor name. */
const UPSAMPLES = ['c5_upsample/up_sampling2d', 'c4_upsample/up_sampling2d_1', 'c3_upsample/up_sampling2d_2'].map((p) => `tower_0/CenternetHead/${p}/ResizeBilinear`);
/** The box head flattened to [128 × 128 cells, 4]. */
const WH_ROWS_SHAPE = 'tower_0/BatchGather/Reshape_2/shape';
/** The heatmap's width in cells (128): a top-k index is turned into x and y with it. */
const WIDTH_CELLS = 'tower_0/strided_slice_6';
/** The class logits, NCHW: their last dimension is that width. */
const CLASS_LOGITS = 'tower_0/CenternetHead/centernet_cls_output/BiasAdd';

/**
 * Lets the converted CenterNet take any input whose sides are multiples of 32, not only
 * 512×512: a 16:9 frame letterboxed into 512×512 is 44 % padding, and the model spends the same
 * work on the padding as on the picture. TensorFlow froze four numbers that follow from the input
 * size into the graph; each becomes what it was computed from:
 *
 * - the neck's three ×2 upsamplings had their output sizes ([32, 32], [64, 64], [128, 128]) as
 *   constants: they take a scale of 2 instead (same result: `asymmetric` coordinates divide by the
 *   scale either way);
 * - the box head was reshaped to [16384, 4]: [-1, 4];
 * - the heatmap width in cells (128), which turns a top-k index into a cell's x and y: read
 *   from the class logits' shape.
 *
 * At 512×512 the graph computes exactly what it did (test/convert/free-input-size.test.ts).
 */
export function freeInputSize(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const nodes = graph.node ?? [];
  const inits = graph.initializer ?? [];
  const find = (name: string): Tensor => {
    const t = inits.find((i) => i.name === name);
    if (!t) throw new Error(`not the expected CenterNet graph: no constant ${name}`);
    return t;
  };

  for (const prefix of UPSAMPLES) {
    const resize = nodes.find((n) => n.opType === 'Resize' && n.output?.[0] === prefix);
    if (!resize?.input) throw new Error(`not the expected CenterNet graph: no Resize ${prefix}`);
    const scales = `${prefix}/scales`;
    inits.push(onnx.TensorProto.create({ name: scales, dataType: 1, dims: [4], rawData: new Uint8Array(Float32Array.of(1, 1, 2, 2).buffer) }));
    resize.input = [resize.input[0], '', scales];
  }

  const rows = find(WH_ROWS_SHAPE);
  rows.rawData = new Uint8Array(BigInt64Array.of(-1n, 4n).buffer);

  const width = find(WIDTH_CELLS);
  const shape = `${WIDTH_CELLS}/from_shape/shape`;
  const index = `${WIDTH_CELLS}/from_shape/index`;
  const gathered = `${WIDTH_CELLS}/from_shape/width`;
  const computed = `${WIDTH_CELLS}/from_shape`;
  inits.push(onnx.TensorProto.create({ name: index, dataType: 7, dims: [], rawData: new Uint8Array(BigInt64Array.of(3n).buffer) }));
  const added = [
    onnx.NodeProto.create({ opType: 'Shape', name: shape, input: [CLASS_LOGITS], output: [shape] }),
    onnx.NodeProto.create({
      opType: 'Gather',
      name: gathered,
      input: [shape, index],
      output: [gathered],
      attribute: [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
    }),
    onnx.NodeProto.create({
      opType: 'Cast',
      name: computed,
      input: [gathered],
      output: [computed],
      attribute: [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: width.dataType ?? 6 })],
    }),
  ];
  for (const n of nodes) n.input = (n.input ?? []).map((x) => (x === WIDTH_CELLS ? computed : x));
  // The new nodes go right after the class logits' producer, so the graph stays in topological order.
  const at = nodes.findIndex((n) => (n.output ?? []).includes(CLASS_LOGITS));
  if (at < 0) throw new Error(`not the expected CenterNet graph: no tensor ${CLASS_LOGITS}`);
  nodes.splice(at + 1, 0, ...added);

  graph.initializer = inits.filter((t) => t.name !== WIDTH_CELLS && !UPSAMPLES.some((p) => t.name === `${p}/hw`));
  graph.node = nodes.filter((n) => !UPSAMPLES.some((p) => n.output?.[0] === `${p}/shape` || n.output?.[0] === `${p}/sizes`));
  const dims = graph.input?.[0]?.type?.tensorType?.shape?.dim;
  if (dims?.length !== 4) throw new Error('CenterNet input is not [1, H, W, 3]');
  dims[1] = { dimParam: 'height' };
  dims[2] = { dimParam: 'width' };
  for (const o of graph.output ?? []) if (o.type?.tensorType) o.type.tensorType.shape = null;
  graph.valueInfo = [];
  return onnx.ModelProto.encode(model).finish();
}
