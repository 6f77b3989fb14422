import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX element types the converter emits (values of onnx.TensorProto.DataType). */
export const OnnxType = {
  float: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
} as const;
export type OnnxType = (typeof OnnxType)[keyof typeof OnnxType];

export type AttrValue = number | string | number[] | { floats: number[] } | { float: number };

/** A dimension: a size, or a symbolic name such as the batch `N`. */
export type Dim = number | string;

export interface InitializerData {
  type: OnnxType;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

/**
 * Builds one ONNX graph (opset 17, IR 8) node by node and encodes it with onnx-proto.
 * It knows nothing about TFJS: the op mappers decide what to emit.
 */
export class OnnxGraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** A fresh tensor name derived from `base`, never handed out before. */
  uniqueName(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}__${++this.counter}`;
    this.used.add(name);
    return name;
  }

  addInput(name: string, type: OnnxType, shape: Dim[]): void {
    this.inputs.push(valueInfo(name, type, shape));
  }

  addOutput(name: string, type: OnnxType, shape?: Dim[]): void {
    this.outputs.push(valueInfo(name, type, shape));
  }

  addInitializer(base: string, init: InitializerData): string {
    const name = this.uniqueName(base);
    const { data } = init;
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // Copy: protobufjs keeps the view, and callers may reuse their arrays.
    this.initializers.push(onnx.TensorProto.create({ name, dataType: init.type, dims: init.dims, rawData: raw.slice() }));
    return name;
  }

  /** Keeps `name` from being handed out by uniqueName (graph inputs and outputs keep their names). */
  reserve(name: string): void {
    this.used.add(name);
  }

  /**
   * Adds a node; returns its output names. `outputs` as names are used verbatim (reserve them
   * first); as a count, that many fresh names are derived from `name`.
   */
  addNode(op: string, inputs: string[], opts: { name: string; outputs?: string[] | number; attrs?: Record<string, AttrValue> }): string[] {
    const count = typeof opts.outputs === 'number' ? opts.outputs : 1;
    const outputs = Array.isArray(opts.outputs) ? opts.outputs : Array.from({ length: count }, (_, i) => this.uniqueName(i === 0 ? opts.name : `${opts.name}:${i}`));
    const attribute = Object.entries(opts.attrs ?? {}).map(([k, v]) => attribute_(k, v));
    this.nodes.push(onnx.NodeProto.create({ opType: op, name: this.uniqueName(`node:${opts.name}`), input: inputs, output: outputs, attribute }));
    return outputs;
  }

  /** Nodes in insertion order, for passes that rewrite the graph before encoding. */
  get nodeList(): InstanceType<typeof onnx.NodeProto>[] {
    return this.nodes;
  }

  /** Initializers, for passes that rewrite constants before encoding. */
  get initializerList(): InstanceType<typeof onnx.TensorProto>[] {
    return this.initializers;
  }

  get outputNames(): string[] {
    return this.outputs.map((o) => o.name);
  }

  encode(opts: { graphName: string; producer: string; docString?: string }): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: opts.graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: opts.producer,
      docString: opts.docString ?? '',
      opsetImport: [{ domain: '', version: 17 }],
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, elemType: OnnxType, shape?: Dim[]): InstanceType<typeof onnx.ValueInfoProto> {
  const tensorType: Record<string, unknown> = { elemType };
  if (shape) tensorType.shape = { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return onnx.ValueInfoProto.create({ name, type: { tensorType } });
}

function attribute_(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    return onnx.AttributeProto.create({ name, type: T.INT, i: v });
  }
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: v.floats });
  return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
}
