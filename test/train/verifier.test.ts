import { describe, expect, it } from 'vitest';
import { HEAD_FORMAT, readHeadFile, verifierFromFile, verifierToFile } from '../../src/train/head-file.js';
import { seededRandom } from '../../src/train/rng.js';
import { PLACE_VALUES, POOLED_FEATURES, verifierInputs } from '../../src/convert/crop-verifier.js';
import { trainBoxRegressor, trainVerifier, type VerifierSamples } from '../../src/train/verifier.js';
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
  return { x, y, dim, count: n, box: { rows: new Uint32Array(0), targets: new Float32Array(0) } };
}

/** Rows sized as a two-class verifier reads them: pooled features, profiles, 4 extras, the box's place. */
const DIM = verifierInputs(3).all;

/**
 * Rows with every other one a box row, whose corrections are told by one pooled value, one profile
 * value and one place value, on scales far from 1 (the other values are constant: a few hundred
 * rows cannot tell 8,392 noisy inputs from signal).
 */
function boxSamples(n: number, seed: number): VerifierSamples {
  const random = seededRandom(seed);
  const x = new Float32Array(n * DIM).fill(1);
  const [pooledAt, profileAt, placeAt] = [100, POOLED_FEATURES + 3000, DIM - PLACE_VALUES + 2];
  for (let i = 0; i < n; i++) {
    x.fill(50, i * DIM, i * DIM + POOLED_FEATURES);
    x[i * DIM + pooledAt] = (random() - 0.5) * 20 + 50;
    x[i * DIM + profileAt] = random() * 4 - 1;
    x[i * DIM + placeAt] = random() * 4 - 1;
  }
  const rows = Uint32Array.from({ length: n / 2 }, (_, k) => 2 * k);
  const targets = new Float32Array(rows.length * 4);
  for (const [k, r] of rows.entries()) {
    const pooled = x[r * DIM + pooledAt] - 50;
    const profile = x[r * DIM + profileAt];
    const place = x[r * DIM + placeAt];
    targets.set([0.01 * pooled, 0.1 * profile, 0.2 * place + 0.3, -0.05 * profile + 0.005 * pooled], k * 4);
  }
  return { x, y: new Uint8Array(n), dim: DIM, count: n, box: { rows, targets } };
}

/** The exported box regressor on a box row (raw, as the graph concatenates it). */
function deltas(b: NonNullable<Awaited<ReturnType<typeof trainVerifier>>['box']>, s: VerifierSamples, k: number): number[] {
  const input = s.x.subarray(s.box.rows[k] * s.dim, (s.box.rows[k] + 1) * s.dim);
  const h = Array.from({ length: b.hidden }, (_, j) =>
    Math.max(
      0,
      input.reduce((z, v, d) => z + v * b.w1[j * b.dim + d], b.b1[j]),
    ),
  );
  return Array.from({ length: 4 }, (_, c) => h.reduce((z, hj, j) => z + hj * b.w2[c * b.hidden + j], b.b2[c]));
}

/** The exported (folded) verifier on raw rows: the class it gives the highest probability. */
function predict(v: Awaited<ReturnType<typeof trainVerifier>>, x: Float32Array, i: number): number {
  const h = Array.from({ length: v.hidden }, (_, j) => {
    let z = v.b1[j];
    for (let d = 0; d < v.dim; d++) z += v.w1[j * v.dim + d] * x[i * v.dim + d];
    return Math.max(0, z);
  });
  const z = Array.from({ length: v.outputs }, (_, c) => h.reduce((s, hj, j) => s + hj * v.w2[c * v.hidden + j], v.b2[c]));
  return z.indexOf(Math.max(...z));
}

describe('trainVerifier', () => {
  it('loss falls, and the exported layers read raw values: new rows are classed right', async () => {
    const losses: number[] = [];
    const v = await trainVerifier(samples(3000, 12, 1), 2, { hidden: 16, epochs: 20, batch: 64, lr: 3e-3, weightDecay: 1e-4, seed: 1 }, (_, l) => losses.push(l));
    expect(losses.length).toBe(20);
    expect(losses[19]).toBeLessThan(losses[0] * 0.5);
    const test = samples(500, 12, 2);
    let right = 0;
    for (let i = 0; i < test.count; i++) if (predict(v, test.x, i) === test.y[i]) right++;
    expect(right / test.count).toBeGreaterThan(0.9);
  });

  it('trainBoxRegressor: loss falls, and the exported layers give raw corrections from raw inputs', async () => {
    const losses: number[] = [];
    const train = boxSamples(1600, 1);
    const b = await trainBoxRegressor(train, { hidden: 8, epochs: 30, batch: 32, lr: 3e-3, weightDecay: 0, seed: 1 }, (_, l) => losses.push(l));
    expect(b.dim).toBe(DIM);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    // on new rows, its corrections beat the targets' mean by far
    const test = boxSamples(200, 2);
    let err = 0;
    let spread = 0;
    for (let k = 0; k < test.box.rows.length; k++) {
      const got = deltas(b, test, k);
      for (let c = 0; c < 4; c++) {
        err += Math.abs(got[c] - test.box.targets[k * 4 + c]);
        spread += Math.abs(test.box.targets[k * 4 + c] - (c === 2 ? 0.3 + 0.2 : 0));
      }
    }
    expect(err).toBeLessThan(spread * 0.5);
  });

  it('trainVerifier trains the box regressor where the samples have box rows', async () => {
    const t = { hidden: 4, epochs: 1, batch: 32, lr: 1e-3, weightDecay: 0, seed: 5 };
    expect((await trainVerifier(samples(200, 12, 1), 2, t, undefined, { training: t })).box).toBeUndefined();
    expect((await trainVerifier(boxSamples(40, 1), 2, t, undefined, { training: t })).box?.outputs).toBe(4);
    expect((await trainVerifier(boxSamples(40, 1), 2, t)).box).toBeUndefined();
  });

  it('the same seed gives the same weights', async () => {
    const t = { hidden: 4, epochs: 1, batch: 32, lr: 1e-3, weightDecay: 0, seed: 5 };
    expect((await trainVerifier(samples(200, 12, 1), 2, t)).w1).toEqual((await trainVerifier(samples(200, 12, 1), 2, t)).w1);
  });

  it('a head file keeps it, and refuses one sized for other classes or inputs', async () => {
    const v = await trainVerifier(samples(200, DIM, 1), 2, { hidden: 4, epochs: 1, batch: 32, lr: 1e-3, weightDecay: 0, seed: 5 });
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
    // one trained before the thirtieth session (pooled features and extras alone) still reads; other sizes do not
    const pooledOnly = await trainVerifier(samples(200, verifierInputs(3).pooled, 1), 2, { hidden: 4, epochs: 1, batch: 32, lr: 1e-3, weightDecay: 0, seed: 5 });
    writeFileSync(path, JSON.stringify({ ...head, verifier: verifierToFile(pooledOnly) }));
    expect(verifierFromFile(await readHeadFile(path))?.dim).toBe(POOLED_FEATURES + 4);
    const small = await trainVerifier(samples(200, 12, 1), 2, { hidden: 4, epochs: 1, batch: 32, lr: 1e-3, weightDecay: 0, seed: 5 });
    writeFileSync(path, JSON.stringify({ ...head, verifier: verifierToFile(small) }));
    await expect(readHeadFile(path)).rejects.toThrow(/the verifier reads 12 values, not 8392 \(or 2244\)/);
    // with a box regressor: kept beside it, and refused when sized for other inputs
    const t = { hidden: 2, epochs: 1, batch: 32, lr: 1e-3, weightDecay: 0, seed: 5 };
    const withBox = await trainVerifier(boxSamples(40, 1), 2, t, undefined, { training: t });
    writeFileSync(path, JSON.stringify({ ...head, verifier: verifierToFile(withBox) }));
    const boxBack = verifierFromFile(await readHeadFile(path));
    expect(boxBack?.box?.w1).toEqual(withBox.box?.w1);
    expect(boxBack?.box?.b2).toEqual(withBox.box?.b2);
    const file = verifierToFile(withBox);
    writeFileSync(path, JSON.stringify({ ...head, verifier: { ...file, box: { ...file.box, dim: 10, w1: Buffer.from(new Float32Array(20).buffer).toString('base64') } } }));
    await expect(readHeadFile(path)).rejects.toThrow(/box regressor reads 10 values and gives 4, not 8392 and 4/);
  });
});
