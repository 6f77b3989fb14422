import { describe, expect, it } from 'vitest';
import { HEAD_FORMAT, readHeadFile, verifierFromFile, verifierToFile } from '../../src/train/head-file.js';
import { seededRandom } from '../../src/train/rng.js';
import { trainVerifier, type VerifierSamples } from '../../src/train/verifier.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/** Rows whose class is told by two of their values, on scales far from 1 (the folded standardisation must undo them). */
function samples(n: number, dim: number, seed: number): VerifierSamples {
  const random = seededRandom(seed);
  const x = new Float32Array(n * dim);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) x[i * dim + d] = (random() - 0.5) * 50 + 200;
    const a = x[i * dim + 3] - 200;
    const b = x[i * dim + 7] - 200;
    y[i] = a > 5 ? 1 : b > 5 ? 2 : 0;
  }
  return { x, y, dim, count: n };
}

/** The exported (folded) verifier on raw rows: the class it gives the highest probability. */
function predict(v: ReturnType<typeof trainVerifier>, x: Float32Array, i: number): number {
  const h = Array.from({ length: v.hidden }, (_, j) => {
    let z = v.b1[j];
    for (let d = 0; d < v.dim; d++) z += v.w1[j * v.dim + d] * x[i * v.dim + d];
    return Math.max(0, z);
  });
  const z = Array.from({ length: v.outputs }, (_, c) => h.reduce((s, hj, j) => s + hj * v.w2[c * v.hidden + j], v.b2[c]));
  return z.indexOf(Math.max(...z));
}

describe('trainVerifier', () => {
  it('loss falls, and the exported layers read raw values: new rows are classed right', () => {
    const losses: number[] = [];
    const v = trainVerifier(samples(3000, 12, 1), 2, { hidden: 16, epochs: 20, batch: 64, lr: 3e-3, weightDecay: 1e-4, seed: 1 }, (_, l) => losses.push(l));
    expect(losses.length).toBe(20);
    expect(losses[19]).toBeLessThan(losses[0] * 0.5);
    const test = samples(500, 12, 2);
    let right = 0;
    for (let i = 0; i < test.count; i++) if (predict(v, test.x, i) === test.y[i]) right++;
    expect(right / test.count).toBeGreaterThan(0.9);
  });

  it('the same seed gives the same weights', () => {
    const t = { hidden: 4, epochs: 1, batch: 32, lr: 1e-3, weightDecay: 0, seed: 5 };
    expect(trainVerifier(samples(200, 12, 1), 2, t).w1).toEqual(trainVerifier(samples(200, 12, 1), 2, t).w1);
  });

  it('a head file keeps it, and refuses one sized for other classes', async () => {
    const v = trainVerifier(samples(200, 12, 1), 2, { hidden: 4, epochs: 1, batch: 32, lr: 1e-3, weightDecay: 0, seed: 5 });
    const head = {
      format: HEAD_FORMAT,
      classes: ['pistol', 'knife'],
      dim: 4,
      hidden: 0,
      boxes: false,
      w1: '',
      b1: '',
      w2: Buffer.from(new Float32Array(8).buffer).toString('base64'),
      b2: Buffer.from(new Float32Array(2).buffer).toString('base64'),
    };
    const dir = mkdtempSync(join(tmpdir(), 'argus-verifier-'));
    const path = join(dir, 'w.head.json');
    writeFileSync(path, JSON.stringify({ ...head, verifier: verifierToFile(v) }));
    const back = verifierFromFile(await readHeadFile(path));
    expect(back?.w1).toEqual(v.w1);
    expect(back?.b2).toEqual(v.b2);
    writeFileSync(
      path,
      JSON.stringify({
        ...head,
        classes: ['pistol'],
        w2: Buffer.from(new Float32Array(4).buffer).toString('base64'),
        b2: Buffer.from(new Float32Array(1).buffer).toString('base64'),
        verifier: verifierToFile(v),
      }),
    );
    await expect(readHeadFile(path)).rejects.toThrow(/the verifier gives 3 probabilities for 1 classes/);
  });
});
