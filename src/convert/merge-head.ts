import onnxProto from 'onnx-proto';
import { CENTERNET_TENSORS, FEATURE_SOURCES } from '../train/feature-model.js';
import type { ExportedHead } from '../train/head.js';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;

/** A logit far below any real one: the class never reaches the top-k. */
const SUPPRESSED_BIAS = -40;

/**
 * Adds trained classes to Argus' CenterNet: the head's 1×1 convolutions read the frozen
 * features (feature-model.ts), their logits are concatenated after the 80 COCO ones, and the
 * existing sigmoid, peak pooling and top-k decode them like any class (the class-agnostic box
 * head gives their boxes). The class count the decoder divides by is patched to 80 + classes.
 * `suppress` lists COCO channels a trained class replaces (e.g. COCO's `knife`), silenced.
 */
export function mergeHead(centernet: Uint8Array, head: ExportedHead, opts: { suppress?: number[] } = {}): Uint8Array {
  const model = onnx.ModelProto.decode(centernet);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const nodes = graph.node ?? [];
  if (nodes.some((n) => n.name?.startsWith('argus_head/'))) throw new Error('this model already has a merged head');
  const edit = new GraphEdit(graph.initializer ?? [], new Set(nodes.flatMap((n) => n.output ?? [])));
  edit.require([...FEATURE_SOURCES, CENTERNET_TENSORS.clsLogits]);
  const count = edit.inits.find((t) => t.name === CENTERNET_TENSORS.classCount);
  if (!count) throw new Error(`not the expected CenterNet graph: no constant ${CENTERNET_TENSORS.classCount}`);
  const base = readInt(count);
  if (head.dim !== 128 * FEATURE_SOURCES.length) throw new Error(`head reads ${head.dim} features, the model gives ${128 * FEATURE_SOURCES.length}`);

  const out = addHead(edit, head);
  const logits = head.boxes
    ? edit.node(
        'Slice',
        [out, edit.ints('argus_head/logits_start', [0]), edit.ints('argus_head/logits_end', [head.classes]), edit.ints('argus_head/axis1', [1])],
        'argus_head/logits',
      )
    : out;
  const rewire = new Map<string, string>([[CENTERNET_TENSORS.clsLogits, edit.node('Concat', [CENTERNET_TENSORS.clsLogits, logits], 'argus_head/all_logits', { axis: 1 })]]);
  if (head.boxes) rewire.set(GATHERED_WH, addBoxes(edit, head, out, count));
  for (const n of nodes) n.input = (n.input ?? []).map((x) => rewire.get(x) ?? x);

  const clsNode = nodes.find((n) => (n.output ?? []).includes(CENTERNET_TENSORS.clsLogits));
  for (const ch of opts.suppress ?? [])
    suppressChannel(
      edit.inits.find((t) => t.name === clsNode?.input?.[2]),
      ch,
    );
  writeInt(count, base + head.classes);

  graph.node = topoSort([...nodes, ...edit.added], new Set([...(graph.input ?? []).map((i) => i.name ?? ''), ...edit.inits.map((t) => t.name ?? '')]));
  graph.initializer = edit.inits;
  graph.valueInfo = [];
  for (const o of graph.output ?? []) {
    const dims = o.type?.tensorType?.shape?.dim;
    if (dims?.length === 4 && Number(dims[3]?.dimValue) === base) dims[3] = { dimValue: base + head.classes };
  }
  return onnx.ModelProto.encode(model).finish();
}

/** The box head's distances gathered at the top-k cells, [1, k, 4]. */
const GATHERED_WH = 'tower_0/BatchGather/Reshape_3';

/** Nodes and constants added to a graph. */
class GraphEdit {
  readonly added: Node[] = [];

  constructor(
    readonly inits: onnxProto.onnx.ITensorProto[],
    private readonly produced: Set<string>,
  ) {}

  require(tensors: string[]): void {
    for (const t of tensors) if (!this.produced.has(t)) throw new Error(`not the expected CenterNet graph: no tensor ${t}`);
  }

  floats(name: string, dims: number[], data: Float32Array): string {
    this.inits.push(onnx.TensorProto.create({ name, dataType: 1, dims, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) }));
    return name;
  }

  ints(name: string, values: number[]): string {
    this.inits.push(onnx.TensorProto.create({ name, dataType: 7, dims: [values.length], rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) }));
    return name;
  }

  node(op: string, inputs: string[], output: string, attrs: Record<string, number | number[]> = {}): string {
    const T = onnx.AttributeProto.AttributeType;
    const attribute = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v) ? onnx.AttributeProto.create({ name, type: T.INTS, ints: v }) : onnx.AttributeProto.create({ name, type: T.INT, i: v }),
    );
    this.added.push(onnx.NodeProto.create({ opType: op, name: `argus_head/${output}`, input: inputs, output: [output], attribute }));
    return output;
  }
}

/** features → [1×1 conv → ReLU] → 1×1 conv: the class logits, then the box corrections. */
function addHead(edit: GraphEdit, head: ExportedHead): string {
  const outputs = head.classes + (head.boxes ? 4 : 0);
  const features = edit.node('Concat', [...FEATURE_SOURCES], 'argus_head/features', { axis: 1 });
  let input = features;
  if (head.hidden > 0) {
    const h = edit.node(
      'Conv',
      [features, edit.floats('argus_head/w1', [head.hidden, head.dim, 1, 1], head.w1), edit.floats('argus_head/b1', [head.hidden], head.b1)],
      'argus_head/hidden',
      {
        kernel_shape: [1, 1],
      },
    );
    input = edit.node('Relu', [h], 'argus_head/hidden_relu');
  }
  const inW2 = head.hidden > 0 ? head.hidden : head.dim;
  return edit.node('Conv', [input, edit.floats('argus_head/w2', [outputs, inW2, 1, 1], head.w2), edit.floats('argus_head/b2', [outputs], head.b2)], 'argus_head/out', {
    kernel_shape: [1, 1],
  });
}

/**
 * The new classes' box distances: CenterNet's, corrected in log space, gathered at the top-k
 * cells like CenterNet's, and picked over them for detections of a new class.
 */
function addBoxes(edit: GraphEdit, head: ExportedHead, out: string, count: onnxProto.onnx.ITensorProto): string {
  edit.require([CENTERNET_TENSORS.wh, CENTERNET_TENSORS.classIndex, CENTERNET_TENSORS.cellIndex, GATHERED_WH]);
  const delta = edit.node(
    'Slice',
    [out, edit.ints('argus_head/box_start', [head.classes]), edit.ints('argus_head/box_end', [head.classes + 4]), 'argus_head/axis1'],
    'argus_head/box_delta',
  );
  const floor = edit.node('Max', [CENTERNET_TENSORS.wh, edit.floats('argus_head/one_pixel', [], new Float32Array([1]))], 'argus_head/wh_floor');
  const logWh = edit.node('Log', [floor], 'argus_head/wh_log');
  const wh = edit.node('Exp', [edit.node('Add', [logWh, delta], 'argus_head/wh_log_new')], 'argus_head/wh_new');
  const nhwc = edit.node('Transpose', [wh], 'argus_head/wh_new_nhwc', { perm: [0, 2, 3, 1] });
  const flat = edit.node('Reshape', [nhwc, edit.ints('argus_head/flat_shape', [-1, 4])], 'argus_head/wh_new_flat');
  const gathered = edit.node('Gather', [flat, CENTERNET_TENSORS.cellIndex], 'argus_head/wh_new_gathered', { axis: 0 });
  const picked = edit.node('Reshape', [gathered, edit.ints('argus_head/rows_shape', [1, -1, 4])], 'argus_head/wh_new_rows');
  // the class index is compared with the base class count, in the graph's own integer type
  edit.inits.push(onnx.TensorProto.create({ name: 'argus_head/base_classes', dataType: count.dataType, dims: [], rawData: new Uint8Array(count.rawData ?? []) }));
  const isNew = edit.node('GreaterOrEqual', [CENTERNET_TENSORS.classIndex, 'argus_head/base_classes'], 'argus_head/is_new');
  const isNew3 = edit.node('Unsqueeze', [isNew, edit.ints('argus_head/axis2', [2])], 'argus_head/is_new3');
  return edit.node('Where', [isNew3, picked, GATHERED_WH], 'argus_head/wh_rows');
}

function suppressChannel(bias: onnxProto.onnx.ITensorProto | undefined, ch: number): void {
  if (!bias?.rawData) throw new Error('CenterNet class conv has no bias to suppress a class with');
  const b = new Float32Array(new Uint8Array(bias.rawData).buffer);
  if (ch < 0 || ch >= b.length) throw new Error(`no class channel ${ch} to suppress`);
  b[ch] = SUPPRESSED_BIAS;
  bias.rawData = new Uint8Array(b.buffer);
}

function readInt(t: onnxProto.onnx.ITensorProto): number {
  const raw = new Uint8Array(t.rawData ?? []);
  return Number(t.dataType === 7 ? new BigInt64Array(raw.buffer)[0] : new Int32Array(raw.buffer)[0]);
}

function writeInt(t: onnxProto.onnx.ITensorProto, v: number): void {
  t.rawData = new Uint8Array(t.dataType === 7 ? BigInt64Array.of(BigInt(v)).buffer : Int32Array.of(v).buffer);
}

/** Orders nodes so each comes after the producers of its inputs (stable for an already ordered graph). */
function topoSort(nodes: Node[], available: Set<string>): Node[] {
  const ready = new Set(available);
  const out: Node[] = [];
  let pending = nodes;
  while (pending.length > 0) {
    const next: Node[] = [];
    for (const n of pending) {
      if ((n.input ?? []).every((x) => !x || ready.has(x))) {
        out.push(n);
        for (const o of n.output ?? []) ready.add(o);
      } else next.push(n);
    }
    if (next.length === pending.length) throw new Error(`graph has a cycle or a missing input at ${next[0].name}`);
    pending = next;
  }
  return out;
}
