import onnxProto from 'onnx-proto';
import { CENTERNET_TENSORS, FEATURE_SETS, type FeatureSet, featureChannels, featureSetOf } from '../train/feature-model.js';
import type { ExportedHead } from '../train/head.js';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;

/** The stride of the map a merged head is computed on (CenterNet's own heatmap is at 4). */
export type HeadStride = 4 | 8;

export interface MergeOptions {
  /** COCO channels a trained class replaces (e.g. COCO's `knife`), silenced. */
  suppress?: number[];
  /**
   * Where a head is computed: 8 (default) reads every other stride-4 cell and upsamples its
   * outputs bilinearly to CenterNet's stride-4 map; 4 computes it at every cell, as training
   * saw it. On the weapons' valid split stride 8 scored AP@0.5 pistol 0.605 / knife 0.430 (the head of 2026-12-04)
   * against 0.570 / 0.402 (the smoother heatmap has fewer stray peaks) for half the cost
   * (docs/weapons.md#cost).
   */
  stride?: HeadStride;
}

/** A logit far below any real one: the class never reaches the top-k. */
const SUPPRESSED_BIAS = -40;

/** The base channels that trained classes of the same name replace (COCO's `knife` by the trained one): `suppress`. */
export function replacedChannels(baseLabels: readonly string[], classes: readonly string[]): number[] {
  return classes.map((c) => baseLabels.indexOf(c)).filter((i) => i >= 0);
}

/**
 * Adds trained classes to Argus' CenterNet: each head's 1×1 convolutions read the frozen
 * features (feature-model.ts), their logits are concatenated after the 80 COCO ones, head after
 * head, and the existing sigmoid, peak pooling and top-k decode them like any class (the
 * class-agnostic box head gives their boxes, corrected per head). The class count the decoder
 * divides by is patched to 80 + every head's classes. `suppress` lists COCO channels a trained
 * class replaces (e.g. COCO's `knife`), silenced.
 */
export function mergeHeads(centernet: Uint8Array, heads: readonly ExportedHead[], opts: MergeOptions = {}): Uint8Array {
  if (heads.length === 0) throw new Error('no head to merge');
  const model = onnx.ModelProto.decode(centernet);
  const graph = model.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const nodes = graph.node ?? [];
  if (nodes.some((n) => n.name?.startsWith('argus_head/'))) throw new Error('this model already has a merged head');
  const edit = new GraphEdit(graph.initializer ?? [], new Set(nodes.flatMap((n) => n.output ?? [])));
  const sets = heads.map((h) => {
    const set = featureSetOf(h.dim);
    if (!set)
      throw new Error(
        `head reads ${h.dim} features; the model gives ${Object.keys(FEATURE_SETS)
          .map((s) => `${featureChannels(s as FeatureSet)} (${s})`)
          .join(' or ')}`,
      );
    return set;
  });
  edit.require([...new Set(sets.flatMap((s) => FEATURE_SETS[s].map((f) => f.tensor))), CENTERNET_TENSORS.clsLogits]);
  const count = edit.inits.find((t) => t.name === CENTERNET_TENSORS.classCount);
  if (!count) throw new Error(`not the expected CenterNet graph: no constant ${CENTERNET_TENSORS.classCount}`);
  const base = readInt(count);

  const { logits, wh, classes } = addHeads(edit, heads, count, base, opts.stride ?? 8);
  const rewire = new Map<string, string>([[CENTERNET_TENSORS.clsLogits, edit.node('Concat', logits, 'argus_head/all_logits', { axis: 1 })]]);
  if (wh !== GATHERED_WH) rewire.set(GATHERED_WH, wh);
  for (const n of nodes) n.input = (n.input ?? []).map((x) => rewire.get(x) ?? x);

  const clsNode = nodes.find((n) => (n.output ?? []).includes(CENTERNET_TENSORS.clsLogits));
  for (const ch of opts.suppress ?? [])
    suppressChannel(
      edit.inits.find((t) => t.name === clsNode?.input?.[2]),
      ch,
    );
  writeInt(count, classes);

  graph.node = topoSort([...nodes, ...edit.added], new Set([...(graph.input ?? []).map((i) => i.name ?? ''), ...edit.inits.map((t) => t.name ?? '')]));
  graph.initializer = edit.inits;
  graph.valueInfo = [];
  for (const o of graph.output ?? []) {
    const dims = o.type?.tensorType?.shape?.dim;
    if (dims?.length === 4 && Number(dims[3]?.dimValue) === base) dims[3] = { dimValue: classes };
  }
  return onnx.ModelProto.encode(model).finish();
}

/** Each head's logits (COCO's first) and the box distances picked per class, after `base` classes. */
function addHeads(
  edit: GraphEdit,
  heads: readonly ExportedHead[],
  count: onnxProto.onnx.ITensorProto,
  base: number,
  stride: HeadStride,
): { logits: string[]; wh: string; classes: number } {
  edit.ints('argus_head/axis1', [1]);
  const logits: string[] = [CENTERNET_TENSORS.clsLogits];
  let wh = GATHERED_WH;
  let classes = base;
  for (const [i, head] of heads.entries()) {
    // One head keeps the names the first version wrote; several are numbered.
    const p = heads.length === 1 ? 'argus_head' : `argus_head/${i}`;
    const out = addHead(edit, head, p, stride);
    logits.push(head.boxes ? edit.node('Slice', [out, edit.ints(`${p}/logits_start`, [0]), edit.ints(`${p}/logits_end`, [head.classes]), 'argus_head/axis1'], `${p}/logits`) : out);
    if (head.boxes) wh = addBoxes(edit, head, out, p, { first: classes, count, otherwise: wh });
    classes += head.classes;
  }
  return { logits, wh, classes };
}

/** One head: `mergeHeads` with a list of one. */
export function mergeHead(centernet: Uint8Array, head: ExportedHead, opts: MergeOptions = {}): Uint8Array {
  return mergeHeads(centernet, [head], opts);
}

/** The box head's distances gathered at the top-k cells, [1, k, 4]. */
const GATHERED_WH = 'tower_0/BatchGather/Reshape_3';

/** Nodes and constants added to a graph (their node names start with `prefix`). */
export class GraphEdit {
  readonly added: Node[] = [];

  constructor(
    readonly inits: onnxProto.onnx.ITensorProto[],
    private readonly produced: Set<string>,
    private readonly prefix = 'argus_head',
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

  node(op: string, inputs: string[], output: string, attrs: Record<string, number | number[] | string> = {}): string {
    const T = onnx.AttributeProto.AttributeType;
    const attribute = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v)
        ? onnx.AttributeProto.create({ name, type: T.INTS, ints: v })
        : typeof v === 'string'
          ? onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) })
          : onnx.AttributeProto.create({ name, type: T.INT, i: v }),
    );
    this.added.push(onnx.NodeProto.create({ opType: op, name: `${this.prefix}/${output}`, input: inputs, output: [output], attribute }));
    return output;
  }
}

/** features → [1×1 conv → ReLU] → 1×1 conv: the class logits, then the box corrections. */
function addHead(edit: GraphEdit, head: ExportedHead, p: string, stride: HeadStride): string {
  const outputs = head.classes + (head.boxes ? 4 : 0);
  const set = featureSetOf(head.dim) ?? 'neck';
  const step = stride / 4;
  const name = step === 1 ? `${p}/out` : `${p}/out_coarse`;
  let out: string;
  if (head.hidden > 0) {
    const h = convOverFeatures(edit, set, { rows: head.hidden, w: head.w1, b: head.b1 }, `${p}/hidden`, { w: `${p}/w1`, b: `${p}/b1` }, step);
    const hidden = edit.node('Relu', [h], `${p}/hidden_relu`);
    out = edit.node('Conv', [hidden, edit.floats(`${p}/w2`, [outputs, head.hidden, 1, 1], head.w2), edit.floats(`${p}/b2`, [outputs], head.b2)], name, { kernel_shape: [1, 1] });
  } else out = convOverFeatures(edit, set, { rows: outputs, w: head.w2, b: head.b2 }, name, { w: `${p}/w2`, b: `${p}/b2` }, step);
  if (step === 1) return out;
  // Bilinear, half-pixel: measured better than nearest (AP pistol 0.525) and than corner-aligned
  // sampling (0.572) on the weapons' valid split.
  return edit.node('Resize', [out, '', edit.floats(`${p}/out_scales`, [4], new Float32Array([1, 1, step, step]))], `${p}/out`, {
    mode: 'linear',
    coordinate_transformation_mode: 'half_pixel',
  });
}

/**
 * A 1×1 convolution over a feature set's channels (weights [rows, dim]), as one convolution per
 * source, summed: no concatenated copy of the sources (a Concat of the 384 stride-4 channels and
 * its layout changes cost more than the head's arithmetic). A coarser source is convolved at its
 * own resolution, then upsampled (nearest: every stride-4 cell reads the coarse cell it lies in,
 * as in training): `rows` channels to upsample instead of the source's hundreds. With `step` 2
 * the result is at stride 8: the stride-4 sources are read at every other cell.
 */
function convOverFeatures(
  edit: GraphEdit,
  set: FeatureSet,
  c: { rows: number; w: Float32Array; b: Float32Array },
  out: string,
  names: { w: string; b: string },
  step: number,
): string {
  const sources = FEATURE_SETS[set];
  const dim = featureChannels(set);
  const columns = (from: number, n: number): Float32Array => {
    const part = new Float32Array(c.rows * n);
    for (let r = 0; r < c.rows; r++) part.set(c.w.subarray(r * dim + from, r * dim + from + n), r * n);
    return part;
  };
  let sum = '';
  let from = 0;
  for (const [i, f] of sources.entries()) {
    const inputs = [f.tensor, edit.floats(`${names.w}/s${i}`, [c.rows, f.channels, 1, 1], columns(from, f.channels))];
    if (i === 0) inputs.push(edit.floats(names.b, [c.rows], c.b));
    const strides = Math.max(1, step / f.ratio);
    let part = edit.node('Conv', inputs, `${out}/s${i}`, { kernel_shape: [1, 1], strides: [strides, strides] });
    const up = (f.ratio * strides) / step;
    if (up > 1)
      part = edit.node('Resize', [part, '', edit.floats(`${names.w}/s${i}_scales`, [4], new Float32Array([1, 1, up, up]))], `${out}/s${i}_up`, {
        mode: 'nearest',
        coordinate_transformation_mode: 'asymmetric',
        nearest_mode: 'floor',
      });
    sum = i === 0 ? part : edit.node('Add', [sum, part], i === sources.length - 1 ? out : `${out}/s${i}_sum`);
    from += f.channels;
  }
  return sum;
}

/**
 * A head's box distances: CenterNet's, corrected in log space, gathered at the top-k cells like
 * CenterNet's, and picked for detections of its classes (index `first` and up: a later head's
 * classes come after and pick its own over these); `otherwise` for the rest.
 */
function addBoxes(edit: GraphEdit, head: ExportedHead, out: string, p: string, at: { first: number; count: onnxProto.onnx.ITensorProto; otherwise: string }): string {
  edit.require([CENTERNET_TENSORS.classIndex, CENTERNET_TENSORS.cellIndex, GATHERED_WH]);
  const delta = edit.node('Slice', [out, edit.ints(`${p}/box_start`, [head.classes]), edit.ints(`${p}/box_end`, [head.classes + 4]), 'argus_head/axis1'], `${p}/box_delta`);
  // the corrections are gathered at the top-k cells first: the arithmetic on k rows, not the map
  const nhwc = edit.node('Transpose', [delta], `${p}/box_delta_nhwc`, { perm: [0, 2, 3, 1] });
  const flat = edit.node('Reshape', [nhwc, edit.ints(`${p}/flat_shape`, [-1, 4])], `${p}/box_delta_flat`);
  const gathered = edit.node('Gather', [flat, CENTERNET_TENSORS.cellIndex], `${p}/box_delta_gathered`, { axis: 0 });
  const rows = edit.node('Reshape', [gathered, edit.ints(`${p}/rows_shape`, [1, -1, 4])], `${p}/box_delta_rows`);
  const floor = edit.node('Max', [GATHERED_WH, edit.floats(`${p}/one_pixel`, [], new Float32Array([1]))], `${p}/wh_floor`);
  const logWh = edit.node('Log', [floor], `${p}/wh_log`);
  const picked = edit.node('Exp', [edit.node('Add', [logWh, rows], `${p}/wh_log_new`)], `${p}/wh_new_rows`);
  // the class index is compared with the head's first class, in the graph's own integer type
  const first = onnx.TensorProto.create({ name: `${p}/first_class`, dataType: at.count.dataType, dims: [] });
  writeInt(first, at.first);
  edit.inits.push(first);
  const isNew = edit.node('GreaterOrEqual', [CENTERNET_TENSORS.classIndex, `${p}/first_class`], `${p}/is_new`);
  const isNew3 = edit.node('Unsqueeze', [isNew, edit.ints(`${p}/axis2`, [2])], `${p}/is_new3`);
  return edit.node('Where', [isNew3, picked, at.otherwise], `${p}/wh_rows`);
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
