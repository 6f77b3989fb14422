import { OnnxType, type OnnxGraphBuilder, type AttrValue } from './onnx-writer.js';
import type { TfNode } from './tfjs-model.js';
import type { ConstTensor } from './weights.js';

/** NHWC → NCHW and back. */
export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];
/** Where an NHWC axis sits once the tensor is NCHW. */
export const NCHW_AXIS_OF_NHWC = [0, 2, 3, 1];

/**
 * How one TF tensor exists in the ONNX graph. A 4-D activation may exist in its TF layout (NHWC),
 * transposed to NCHW for convolutions, or both; each form is made on first request and cached, so
 * a chain of convolutions and elementwise ops stays NCHW with no Transpose pairs in between.
 */
interface TensorForms {
  nhwc?: string;
  nchw?: string;
  value?: ConstTensor;
  /** ONNX element type, where a mapper needs to know it (Cast, FloorDiv, graph outputs). */
  type?: OnnxType;
}

export class UnsupportedOpError extends Error {
  readonly code = 'UNSUPPORTED_OP';
  constructor(
    readonly op: string,
    readonly node: string,
  ) {
    super(`unsupported TFJS op "${op}" (node "${node}"): the converter has no mapping for it`);
  }
}

/** State shared by the op mappers while one graph is converted. */
export class ConvertContext {
  private readonly tensors = new Map<string, TensorForms>();

  constructor(readonly graph: OnnxGraphBuilder) {}

  /** Canonical tensor reference: `name` and `name:0` are the same tensor. */
  static ref(input: string): string {
    const [name, idx] = input.split(':');
    return idx && idx !== '0' ? `${name}:${idx}` : name;
  }

  set(ref: string, forms: TensorForms): void {
    this.tensors.set(ConvertContext.ref(ref), forms);
  }

  /** `ref` names the same tensor as `source` (Identity): they share forms, so each is made once. */
  alias(ref: string, source: string): void {
    this.tensors.set(ConvertContext.ref(ref), this.forms(source));
  }

  private forms(ref: string): TensorForms {
    const f = this.tensors.get(ConvertContext.ref(ref));
    if (!f) throw new Error(`tensor "${ref}" is read before it is produced`);
    return f;
  }

  /** The value of a constant tensor, or undefined when it is computed at run time. */
  value(ref: string): ConstTensor | undefined {
    return this.forms(ref).value;
  }

  requireValue(ref: string, node: TfNode, what: string): ConstTensor {
    const v = this.value(ref);
    if (!v) throw new Error(`node "${node.name}" (${node.op}): ${what} must be a constant`);
    return v;
  }

  hasNchw(ref: string): boolean {
    return this.forms(ref).nchw !== undefined;
  }

  typeOf(ref: string): OnnxType | undefined {
    const f = this.forms(ref);
    return f.type ?? (f.value ? onnxTypeOfConst(f.value) : undefined);
  }

  /** The tensor in its TF layout, adding a Transpose (or an initializer for constants) if needed. */
  nhwc(ref: string): string {
    const f = this.forms(ref);
    if (f.nhwc) return f.nhwc;
    if (f.value) {
      f.nhwc = this.graph.addInitializer(ref, constInit(f.value));
      return f.nhwc;
    }
    if (!f.nchw) throw new Error(`tensor "${ref}" has no form`);
    [f.nhwc] = this.graph.addNode('Transpose', [f.nchw], { name: `${ref}/nhwc`, attrs: { perm: TO_NHWC } });
    return f.nhwc;
  }

  /** A 4-D tensor (or a constant that broadcasts against one) in NCHW. */
  nchw(ref: string): string {
    const f = this.forms(ref);
    if (f.nchw) return f.nchw;
    if (f.value) {
      f.nchw = this.graph.addInitializer(`${ref}/nchw`, constInit(constToNchw(f.value)));
      return f.nchw;
    }
    [f.nchw] = this.graph.addNode('Transpose', [this.nhwc(ref)], { name: `${ref}/nchw`, attrs: { perm: TO_NCHW } });
    return f.nchw;
  }

  node(op: string, inputs: string[], name: string, attrs?: Record<string, AttrValue>): string {
    return this.graph.addNode(op, inputs, { name, attrs })[0];
  }

  int64(name: string, values: number[], scalar = false): string {
    return this.graph.addInitializer(name, {
      type: OnnxType.int64,
      dims: scalar ? [] : [values.length],
      data: BigInt64Array.from(values.map((v) => BigInt(v))),
    });
  }

  float(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.graph.addInitializer(name, { type: OnnxType.float, dims, data: Float32Array.from(values) });
  }

  /** An int64 copy of an index tensor: ONNX wants int64 where TF uses int32. */
  asInt64(ref: string, name: string): string {
    const v = this.value(ref);
    if (v) return this.graph.addInitializer(name, { type: OnnxType.int64, dims: v.shape, data: BigInt64Array.from(Array.from(v.data, (x) => BigInt(x))) });
    return this.node('Cast', [this.nhwc(ref)], name, { to: OnnxType.int64 });
  }
}

export function onnxTypeOfConst(t: ConstTensor): OnnxType {
  return t.dtype === 'float32' ? OnnxType.float : t.dtype === 'int32' ? OnnxType.int32 : OnnxType.bool;
}

export function constInit(t: ConstTensor): { type: OnnxType; dims: number[]; data: Float32Array | Int32Array | Uint8Array } {
  return { type: onnxTypeOfConst(t), dims: t.shape, data: t.data };
}

/** A constant that broadcasts against an NHWC tensor, rearranged to broadcast against its NCHW form. */
export function constToNchw(t: ConstTensor): ConstTensor {
  if (t.shape.length === 0) return t;
  if (t.shape.length > 4) throw new Error('a constant of rank > 4 cannot broadcast against a 4-D tensor');
  const s = [...Array(4 - t.shape.length).fill(1), ...t.shape] as number[];
  return { dtype: t.dtype, shape: [s[0], s[3], s[1], s[2]], data: transposeData(t.data, s, TO_NCHW) };
}

/** Transposes a dense row-major array of shape `shape` by `perm`. */
export function transposeData<T extends Float32Array | Int32Array | Uint8Array>(data: T, shape: number[], perm: number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += idx[k] * inStrides[perm[k]];
    out[o] = data[src];
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k] < outShape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) s[k] = s[k + 1] * shape[k + 1];
  return s;
}
