import { describe, expect, it } from 'vitest';
import { createRowScanner, simdAvailable } from '../../src/registry/row-scanner.js';
import { randomEmbedding } from './random-embedding.js';

function exactDots(rows: Float32Array, dims: number, count: number, probe: Float32Array): number[] {
  const out: number[] = [];
  for (let r = 0; r < count; r++) {
    let d = 0;
    for (let i = 0; i < dims; i++) d += rows[r * dims + i] * probe[i];
    out.push(d);
  }
  return out;
}

describe('createRowScanner', () => {
  it('runs on WebAssembly SIMD in this Node', () => {
    expect(simdAvailable).toBe(true);
  });

  for (const [dims, simd] of [
    [1024, true],
    [192, true],
    [1024, false],
    [20, true],
  ] as const) {
    it(`scores every row like an exact dot product (${dims} values, ${simd && dims % 8 === 0 ? 'wasm SIMD' : 'JS'}), keeping rows as it grows`, () => {
      const scanner = createRowScanner(dims, 2, { simd });
      const count = 37;
      for (let r = 0; r < count; r++) {
        if (r === scanner.capacity) scanner.grow(scanner.capacity * 2);
        scanner.rows.set(randomEmbedding(r + 1, dims), r * dims);
      }
      const probe = randomEmbedding(999, dims);
      const got = Array.from(scanner.scan(probe, count));
      const want = exactDots(scanner.rows, dims, count, probe);
      expect(got).toHaveLength(count);
      for (let r = 0; r < count; r++) expect(got[r]).toBeCloseTo(want[r], 5);
      // A row equal to the probe scores 1.
      scanner.rows.set(probe, 3 * dims);
      expect(scanner.scan(probe, count)[3]).toBeCloseTo(1, 5);
      expect(scanner.scan(probe, 0)).toHaveLength(0);
    });
  }
});
