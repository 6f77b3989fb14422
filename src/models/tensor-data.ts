/** A tensor as it crosses between threads: plain typed array + dims, transferable. */
export interface TensorData {
  type: 'float32' | 'int32' | 'int64' | 'uint8' | 'bool';
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

export interface ValueInfo {
  name: string;
  type: string;
  /** Dimensions; -1 (or a symbolic name read as -1) where the model leaves it open. */
  shape: number[];
}

export interface ModelInfo {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Execution provider the session actually runs on. */
  provider: string;
}

export function float32(dims: number[], data: Float32Array): TensorData {
  return { type: 'float32', dims, data };
}

/** Reads an output as float32 whatever its stored type (some exports emit int64 classes). */
export function asFloat32(t: TensorData): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/**
 * Picks an output by its shape, not its name: converters name outputs differently
 * ("Identity_2:0", "ld_3d"), but a model family's shapes are fixed.
 */
export function outputWithShape(outputs: Record<string, TensorData>, match: (dims: number[]) => boolean, what: string): TensorData {
  const found = Object.values(outputs).find((t) => match(t.dims));
  if (!found) {
    const shapes = Object.entries(outputs)
      .map(([k, t]) => `${k} [${t.dims.join(', ')}]`)
      .join('; ');
    throw new Error(`no ${what} output among: ${shapes}`);
  }
  return found;
}
