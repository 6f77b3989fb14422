import { describe, expect, it } from 'vitest';
import { decodeWeights, halfToFloat } from '../../src/convert/weights.js';

describe('weight de-quantisation', () => {
  it('decodes float16 weights exactly, subnormals, infinities and signs included', () => {
    const halves = [0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x3555, 0x7c00, 0xfc00];
    const expected = [0, -0, 1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, 0.333251953125, Infinity, -Infinity];
    const buf = new Uint8Array(new Uint16Array(halves).buffer);
    const w = decodeWeights([{ name: 'h', shape: [halves.length], dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } }], buf).get('h')!;
    expect(w.dtype).toBe('float32');
    expect(Array.from(w.data)).toEqual(expected);
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
  });

  it('decodes uint8 and uint16 weights as min + q·scale in float32, as tfjs does', () => {
    const q8 = [0, 1, 127, 255];
    const q16 = [0, 65535, 300];
    const buf = new Uint8Array([...q8, ...new Uint8Array(new Uint16Array(q16).buffer), 10, 20]);
    const weights = decodeWeights(
      [
        { name: 'a', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.0078125 } },
        { name: 'b', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', min: 0.5, scale: 0.001 } },
        { name: 'c', shape: [2], dtype: 'int32', quantization: { dtype: 'uint8', min: -5, scale: 0.5 } },
      ],
      buf,
    );
    expect(Array.from(weights.get('a')!.data)).toEqual(q8.map((q) => -1 + q * 0.0078125));
    expect(Array.from(weights.get('b')!.data)).toEqual(Array.from(Float32Array.from(q16.map((q) => q * 0.001 + 0.5))));
    expect(weights.get('a')!.shape).toEqual([2, 2]);
    expect(Array.from(weights.get('c')!.data)).toEqual([0, 5]);
  });

  it('reads plain float32, int32 and bool weights back to back', () => {
    const f = new Float32Array([1.5, -2.25]);
    const i = new Int32Array([-7]);
    const buf = new Uint8Array([...new Uint8Array(f.buffer), ...new Uint8Array(i.buffer), 1, 0]);
    const w = decodeWeights(
      [
        { name: 'f', shape: [2], dtype: 'float32' },
        { name: 'i', shape: [], dtype: 'int32' },
        { name: 'b', shape: [2], dtype: 'bool' },
      ],
      buf,
    );
    expect(Array.from(w.get('f')!.data)).toEqual([1.5, -2.25]);
    expect(Array.from(w.get('i')!.data)).toEqual([-7]);
    expect(Array.from(w.get('b')!.data)).toEqual([1, 0]);
  });

  it('refuses a weight file that is too short', () => {
    expect(() => decodeWeights([{ name: 'f', shape: [4], dtype: 'float32' }], new Uint8Array(8))).toThrow(/f: weight file too short/);
  });
});
