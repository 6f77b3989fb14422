import { describe, expect, it } from 'vitest';
import { type DenseShape, type DenseWeights, DensePasses } from '../../src/train/dense-passes.js';
import { seededRandom } from '../../src/train/rng.js';

const random = seededRandom(3);
const values = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (random() - 0.5) * 2 * scale);

function weights(s: DenseShape): DenseWeights {
  const inW2 = s.hidden > 0 ? s.hidden : s.dim;
  return {
    w1: values(s.hidden * s.dim),
    b1: values(s.hidden, 0.1),
    w2: values(s.outputs * inW2),
    b2: values(s.outputs),
    mean: values(s.dim, 0.5),
    invStd: Float32Array.from({ length: s.dim }, () => 0.5 + random()),
  };
}

/** The same two layers, one row at a time in float64: what the graphs must compute. */
function reference(s: DenseShape, w: DenseWeights, x: Float32Array, rows: number): number[][] {
  return Array.from({ length: rows }, (_, k) => {
    const xs = Array.from({ length: s.dim }, (_, c) => (s.standardise ? (x[k * s.dim + c] - (w.mean?.[c] ?? 0)) * (w.invStd?.[c] ?? 1) : x[k * s.dim + c]));
    const h =
      s.hidden > 0
        ? Array.from({ length: s.hidden }, (_, j) =>
            Math.max(
              0,
              xs.reduce((a, v, c) => a + w.w1[j * s.dim + c] * v, w.b1[j]),
            ),
          )
        : xs;
    return Array.from({ length: s.outputs }, (_, o) => h.reduce((a, v, j) => a + w.w2[o * h.length + j] * v, w.b2[o]));
  });
}

describe('the dense layers on onnxruntime', () => {
  for (const shape of [
    { dim: 7, hidden: 5, outputs: 3, standardise: false },
    { dim: 7, hidden: 5, outputs: 3, standardise: true },
    { dim: 6, hidden: 0, outputs: 2, standardise: true },
  ] satisfies DenseShape[]) {
    it(`forward and gradients as the layers' definition says (hidden ${shape.hidden}${shape.standardise ? ', standardised in the graph' : ''})`, async () => {
      const passes = await DensePasses.create(shape);
      try {
        const rows = 4;
        const w = weights(shape);
        const x = values(rows * shape.dim, 2);
        const feed = x;
        const { z, h } = await passes.forward(feed, rows, w);
        const want = reference(shape, w, x, rows);
        for (let k = 0; k < rows; k++) for (let o = 0; o < shape.outputs; o++) expect(z[k * shape.outputs + o]).toBeCloseTo(want[k][o], 4);

        // the gradients of L = Σ a·z by each weight, against finite differences of the reference
        const a = values(rows * shape.outputs);
        const g = await passes.gradients(feed, rows, w, h, a);
        const loss = (ww: DenseWeights) => reference(shape, ww, x, rows).reduce((s, zr, k) => s + zr.reduce((t, v, o) => t + v * a[k * shape.outputs + o], 0), 0);
        const pairs: [keyof DenseWeights, Float32Array][] = [
          ['w1', g.gw1],
          ['b1', g.gb1],
          ['w2', g.gw2],
          ['b2', g.gb2],
        ];
        for (const [name, grad] of pairs) {
          expect(grad.length).toBe((w[name] as Float32Array).length);
          for (let i = 0; i < grad.length; i++) {
            const at = (d: number) => {
              const p = Float64Array.from(w[name] as Float32Array);
              p[i] += d;
              return loss({ ...w, [name]: p as unknown as Float32Array });
            };
            expect(grad[i]).toBeCloseTo((at(1e-4) - at(-1e-4)) / 2e-4, 2);
          }
        }
      } finally {
        await passes.release();
      }
    });
  }

  it('a batch shorter than the buffer reads only its own rows', async () => {
    const shape: DenseShape = { dim: 3, hidden: 2, outputs: 1, standardise: false };
    const passes = await DensePasses.create(shape);
    try {
      const w = weights(shape);
      const x = values(5 * 3);
      const all = await passes.forward(x, 5, w);
      const two = await passes.forward(x, 2, w);
      expect(two.z.length).toBe(2);
      expect([...two.z]).toEqual([...all.z.subarray(0, 2)]);
    } finally {
      await passes.release();
    }
  });
});
