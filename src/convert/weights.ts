/** Constant tensors of a TFJS model, de-quantised to what tfjs itself would compute. */

export type ConstDtype = 'float32' | 'int32' | 'bool';

export interface ConstTensor {
  dtype: ConstDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number; original_dtype?: string };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Splits the concatenated weight shards into named tensors, de-quantising float16/uint8/uint16. */
export function decodeWeights(specs: WeightSpec[], buffer: Uint8Array): Map<string, ConstTensor> {
  const out = new Map<string, ConstTensor>();
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const dtype = spec.dtype as ConstDtype;
    if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
      throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype}`);
    }
    const q = spec.quantization;
    const stored = q ? q.dtype : spec.dtype;
    const bytes = BYTES[stored];
    if (bytes === undefined) throw new Error(`weight ${spec.name}: unsupported quantization ${stored}`);
    const chunk = buffer.slice(offset, offset + size * bytes);
    if (chunk.byteLength !== size * bytes) throw new Error(`weight ${spec.name}: weight file too short`);
    offset += size * bytes;
    out.set(spec.name, { dtype, shape: spec.shape, data: decodeOne(spec, chunk, size) });
  }
  return out;
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one case per TFJS dtype and quantization, as the format defines them
function decodeOne(spec: WeightSpec, chunk: Uint8Array, size: number): Float32Array | Int32Array | Uint8Array {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const q = spec.quantization;
  if (!q) {
    if (spec.dtype === 'bool') return Uint8Array.from(chunk);
    const arr = spec.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    for (let i = 0; i < size; i++) arr[i] = spec.dtype === 'int32' ? view.getInt32(i * 4, true) : view.getFloat32(i * 4, true);
    return arr;
  }
  if (q.dtype === 'float16') {
    if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name}: float16 quantization of ${spec.dtype}`);
    const arr = new Float32Array(size);
    for (let i = 0; i < size; i++) arr[i] = halfToFloat(view.getUint16(i * 2, true));
    return arr;
  }
  if (q.dtype === 'uint8' || q.dtype === 'uint16') {
    if (q.min === undefined || q.scale === undefined) throw new Error(`weight ${spec.name}: ${q.dtype} quantization without min and scale`);
    const read = (i: number): number => (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true));
    // Same arithmetic as tfjs (`v * scale + min`, stored as float32; rounded for int32 originals).
    if (spec.dtype === 'int32') {
      const arr = new Int32Array(size);
      for (let i = 0; i < size; i++) arr[i] = Math.round(read(i) * q.scale + q.min);
      return arr;
    }
    const arr = new Float32Array(size);
    for (let i = 0; i < size; i++) arr[i] = read(i) * q.scale + q.min;
    return arr;
  }
  throw new Error(`weight ${spec.name}: unsupported quantization ${q.dtype}`);
}

/** IEEE 754 half → float, exact (every half is representable as a float32). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
