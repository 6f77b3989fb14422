import onnxProto from 'onnx-proto';
import { decodeGraph, type GraphNode } from '../convert/decoded-graph.js';

const { onnx } = onnxProto;

/** CenterNet's COCO class convolution (1×1, 128 → 80, at stride 4) and the decode's names. */
const CLASS_CONV = 'tower_0/CenternetHead/centernet_cls_output/BiasAdd';
const CLASS_COUNT = 'tower_0/strided_slice_7';
/** A detection row's class: the top-k index mod the class count (int32). */
const CLASS_OF_ROW = 'tower_0/mod';

/**
 * CenterNet reduced to the classes a caller reads (`kept`: indices into its label list, COCO's
 * 80 then any merged ones). The class convolution computes only those channels and the decode
 * (sigmoid, peak pooling, top-k over classes × cells) runs on them alone; a row's class is mapped
 * back to its index in the full list, so labels read as before. A kept class scores exactly what it
 * scored before; with fewer classes competing for the top 100 peaks, a kept class can only gain
 * rows, never lose one. Live analysis reads a handful of classes (person, the weapons, the object
 * analyzer's labels) out of 82: the 80-channel convolution over every stride-4 cell and the decode
 * over the 82 maps were about a sixth of CenterNet's time (docs/benchmarks.md).
 */
export function keepClasses(bytes: Uint8Array, kept: readonly number[]): Uint8Array {
  const { nodes, inits, consumers, encode } = decodeGraph(bytes);
  const fail = (what: string): never => {
    throw new Error(`cannot reduce the object model's classes: ${what}`);
  };
  const init = (name: string) => inits.find((t) => t.name === name) ?? fail(`no constant ${name}`);
  const conv = nodes.find((n) => n.opType === 'Conv' && n.output?.[0] === CLASS_CONV) ?? fail('no CenterNet class convolution');
  const [, weightName, biasName] = conv.input ?? [];
  const weight = init(weightName);
  const bias = init(biasName);
  const [own, fanIn] = (weight.dims ?? []).map(Number);
  const count = init(CLASS_COUNT);
  const total = new Int32Array(copy(count.rawData ?? fail('class count not stored raw')).buffer)[0];

  const ids = [...new Set(kept)].sort((a, b) => a - b);
  if (ids.some((i) => !Number.isInteger(i) || i < 0 || i >= total)) fail(`class indices must be 0–${total - 1}`);
  const coco = ids.filter((i) => i < own);
  const trained = ids.filter((i) => i >= own).map((i) => i - own);
  // The decode reads the map's width from this convolution's output: it must keep a channel.
  if (coco.length === 0) fail('keep at least one of the detector’s own classes');

  weight.rawData = pickRows(floats(weight), fanIn, coco);
  weight.dims = [coco.length, ...(weight.dims ?? []).slice(1)];
  weight.floatData = [];
  bias.rawData = pickRows(floats(bias), 1, coco);
  bias.dims = [coco.length];
  bias.floatData = [];
  count.rawData = bytesOf(Int32Array.of(ids.length));

  const int32 = (name: string, values: number[]) =>
    inits.push(onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.INT32, dims: [values.length], rawData: bytesOf(Int32Array.from(values)) }));
  const after = (tensor: string, node: GraphNode) => nodes.splice(nodes.findIndex((n) => n.output?.includes(tensor)) + 1, 0, node);

  // Trained classes (merge-head.ts) are concatenated after COCO's: of those, only the kept channels go on.
  const concat = consumers(CLASS_CONV).find((n) => n.opType === 'Concat');
  if (concat && trained.length < total - own) {
    const all = concat.output?.[0] ?? fail('Concat without output');
    const picked = `${all}/kept`;
    int32(`${picked}/indices`, [...coco.keys(), ...trained.map((t) => coco.length + t)]);
    after(
      all,
      onnx.NodeProto.create({
        opType: 'Gather',
        name: picked,
        input: [all, `${picked}/indices`],
        output: [picked],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
      }),
    );
    for (const r of consumers(all)) if (r.name !== picked) r.input = (r.input ?? []).map((x) => (x === all ? picked : x));
  } else if (!concat && trained.length > 0) fail('the model has no trained classes');

  // Every reader of a row's class (its label, merge-head's "is it a trained class") gets the full list's index.
  const original = `${CLASS_OF_ROW}/original`;
  int32(`${original}/table`, ids);
  const readers = consumers(CLASS_OF_ROW);
  if (readers.length === 0) fail(`nothing reads ${CLASS_OF_ROW}`);
  for (const r of readers) r.input = (r.input ?? []).map((x) => (x === CLASS_OF_ROW ? original : x));
  after(CLASS_OF_ROW, onnx.NodeProto.create({ opType: 'Gather', name: original, input: [`${original}/table`, CLASS_OF_ROW], output: [original] }));
  return encode();
}

function copy(b: Uint8Array): Uint8Array {
  return Uint8Array.from(b);
}

function bytesOf(a: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function floats(t: onnxProto.onnx.ITensorProto): Float32Array {
  if (t.rawData && t.rawData.length > 0) return new Float32Array(copy(t.rawData).buffer);
  return Float32Array.from(t.floatData ?? []);
}

/** Rows `rows` of a row-major matrix with `width` columns. */
function pickRows(values: Float32Array, width: number, rows: readonly number[]): Uint8Array {
  const out = new Float32Array(rows.length * width);
  for (const [i, r] of rows.entries()) out.set(values.subarray(r * width, (r + 1) * width), i * width);
  return bytesOf(out);
}
