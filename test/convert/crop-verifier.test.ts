import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  cropFeatureModel,
  POOLED,
  POOLED_FEATURES,
  PROFILE_BINS,
  PROFILE_FEATURES,
  PROFILED,
  PROFILES,
  VERIFIER_CROP,
  VERIFIER_DELTAS,
  VERIFIER_EXTRAS_INPUT,
  VERIFIER_PLACE_INPUT,
  VERIFIER_PROBS,
  verifierModel,
} from '../../src/convert/crop-verifier.js';
import { CENTERNET_TENSORS, FEATURE_SETS, featureModel } from '../../src/train/feature-model.js';
import { seededRandom } from '../../src/train/rng.js';
import { cropTensor } from '../../src/vision/crop.js';
import { loadImage } from '../../src/vision/image.js';

const MODELS = join(import.meta.dirname, '../../models');
const PHOTO = join(import.meta.dirname, '../../../shared/fixtures/people/group-3.jpg');
const base = readFileSync(join(MODELS, 'centernet.onnx'));
const options = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };

async function cropInput(): Promise<ort.Tensor> {
  const img = await loadImage(PHOTO);
  const t = await cropTensor(img, [img.width * 0.3, img.height * 0.2, img.width * 0.55, img.height * 0.7], VERIFIER_CROP);
  return new ort.Tensor('float32', t.data, [1, VERIFIER_CROP, VERIFIER_CROP, 3]);
}

/** Per deep source, the channels' means then their maxima: what the pooled graph should give. */
async function pooledByHand(input: ort.Tensor): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(featureModel(base, VERIFIER_CROP, 'deep'), options);
  const out = await s.run({ [CENTERNET_TENSORS.input]: input });
  const pooled: number[] = [];
  for (const f of FEATURE_SETS.deep) {
    const t = out[f.tensor].data as Float32Array;
    const n = t.length / f.channels;
    const means: number[] = [];
    const maxes: number[] = [];
    for (let c = 0; c < f.channels; c++) {
      const plane = t.subarray(c * n, (c + 1) * n);
      means.push(plane.reduce((a, b) => a + b, 0) / n);
      maxes.push(Math.max(...plane));
    }
    pooled.push(...means, ...maxes);
  }
  await s.release();
  return Float32Array.from(pooled);
}

/** Per profiled map [C, S, S]: each channel's column-bin means (x), then its row-bin means (y). */
async function profilesByHand(input: ort.Tensor): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(featureModel(base, VERIFIER_CROP, 'deep'), options);
  const out = await s.run({ [CENTERNET_TENSORS.input]: input });
  await s.release();
  const values: number[] = [];
  for (const f of PROFILED) {
    const t = out[f.tensor].data as Float32Array;
    const side = Math.sqrt(t.length / f.channels);
    const per = side / PROFILE_BINS;
    for (const axis of ['x', 'y'])
      for (let c = 0; c < f.channels; c++)
        for (let b = 0; b < PROFILE_BINS; b++) {
          let sum = 0;
          for (let a = 0; a < side; a++) for (let q = b * per; q < (b + 1) * per; q++) sum += axis === 'x' ? t[c * side * side + a * side + q] : t[c * side * side + q * side + a];
          values.push(sum / (side * per));
        }
  }
  return Float32Array.from(values);
}

const layers = (random: () => number, dim: number, hidden: number, outputs: number) => ({
  dim,
  hidden,
  outputs,
  w1: Float32Array.from({ length: hidden * dim }, () => (random() - 0.5) * 0.02),
  b1: Float32Array.from({ length: hidden }, () => random() - 0.5),
  w2: Float32Array.from({ length: outputs * hidden }, () => random() - 0.5),
  b2: Float32Array.from({ length: outputs }, () => random() - 0.5),
});

/** Two dense layers by hand: W2 relu(W1 x + b1) + b2. */
function dense(l: ReturnType<typeof layers>, x: number[]): number[] {
  const h = Array.from({ length: l.hidden }, (_, j) =>
    Math.max(
      0,
      x.reduce((s, xi, d) => s + xi * l.w1[j * l.dim + d], l.b1[j]),
    ),
  );
  return Array.from({ length: l.outputs }, (_, c) => h.reduce((s, hj, j) => s + hj * l.w2[c * l.hidden + j], l.b2[c]));
}

/** A verifier's graph run on one crop with its extras and the box's place. */
async function runVerifier(
  v: Parameters<typeof verifierModel>[1],
  input: ort.Tensor,
  extras: Float32Array,
  place: Float32Array,
): Promise<{ inputs: readonly string[]; out: ort.InferenceSession.ReturnType }> {
  const s = await ort.InferenceSession.create(verifierModel(base, v), options);
  const out = await s.run({
    [CENTERNET_TENSORS.input]: input,
    [VERIFIER_EXTRAS_INPUT]: new ort.Tensor('float32', extras, [1, 4]),
    [VERIFIER_PLACE_INPUT]: new ort.Tensor('float32', place, [1, 4]),
  });
  await s.release();
  return { inputs: s.inputNames, out };
}

/** One output of the crop feature graph on `input`. */
async function cropFeatures(input: ort.Tensor, output: string): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(cropFeatureModel(base), options);
  const got = (await s.run({ [CENTERNET_TENSORS.input]: input }))[output].data as Float32Array;
  await s.release();
  return got;
}

describe('crop verifier graphs (CenterNet cut, pooled, two layers)', () => {
  it('cropFeatureModel pools each deep source: means then maxima, 2,240 values', async () => {
    const input = await cropInput();
    const expected = await pooledByHand(input);
    const got = await cropFeatures(input, POOLED);
    expect(got.length).toBe(POOLED_FEATURES);
    expect(POOLED_FEATURES).toBe(2240);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]) / (Math.abs(expected[i]) + 1));
    expect(worst).toBeLessThan(1e-4);
  });

  it('verifierModel computes softmax(W2 relu(W1 [pooled, extras] + b1) + b2)', async () => {
    const input = await cropInput();
    const pooled = await pooledByHand(input);
    const random = seededRandom(3);
    const dim = POOLED_FEATURES + 4;
    const hidden = 5;
    const outputs = 3;
    const v = layers(random, dim, hidden, outputs);
    const extras = Float32Array.from([1, 0, -2.5, 0.4]);
    const x = [...pooled, ...extras];
    const h = Array.from({ length: hidden }, (_, j) =>
      Math.max(
        0,
        x.reduce((s, xi, d) => s + xi * v.w1[j * dim + d], v.b1[j]),
      ),
    );
    const z = Array.from({ length: outputs }, (_, c) => h.reduce((s, hj, j) => s + hj * v.w2[c * hidden + j], v.b2[c]));
    const e = z.map((zi) => Math.exp(zi - Math.max(...z)));
    const expected = e.map((ei) => ei / e.reduce((a, b) => a + b, 0));

    const s = await ort.InferenceSession.create(verifierModel(base, v), options);
    const got = (await s.run({ [CENTERNET_TENSORS.input]: input, [VERIFIER_EXTRAS_INPUT]: new ort.Tensor('float32', extras, [1, 4]) }))[VERIFIER_PROBS].data as Float32Array;
    await s.release();
    expect(got.length).toBe(3);
    for (let c = 0; c < outputs; c++) expect(got[c]).toBeCloseTo(expected[c], 4);
  });

  it('cropFeatureModel also gives the profiles: column then row bins of the stride-16 neck and the box filters, 6,144 values', async () => {
    const input = await cropInput();
    const expected = await profilesByHand(input);
    const got = await cropFeatures(input, PROFILES);
    expect(PROFILE_FEATURES).toBe(6144);
    expect(got.length).toBe(PROFILE_FEATURES);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]) / (Math.abs(expected[i]) + 1));
    expect(worst).toBeLessThan(1e-4);
  });

  it('with a box regressor, verifierModel also gives W2 relu(W1 [pooled, profiles, extras, place] + b1) + b2', async () => {
    const input = await cropInput();
    const x = [...(await pooledByHand(input)), ...(await profilesByHand(input))];
    const random = seededRandom(4);
    const extras = Float32Array.from([0, 1, -3, -0.2]);
    const place = Float32Array.from([0.12, 0.1, 0.11, 0.05]);
    const v = { ...layers(random, POOLED_FEATURES + 4, 3, 3), box: layers(random, POOLED_FEATURES + PROFILE_FEATURES + 8, 4, 4) };
    const b = v.box;
    const expected = dense(b, [...x.slice(0, POOLED_FEATURES), ...x.slice(POOLED_FEATURES), ...extras, ...place]);
    const { out } = await runVerifier(v, input, extras, place);
    const got = out[VERIFIER_DELTAS].data as Float32Array;
    for (let c = 0; c < 4; c++) expect(got[c]).toBeCloseTo(expected[c], 3);
    expect((out[VERIFIER_PROBS].data as Float32Array).length).toBe(3);
    expect(() => verifierModel(base, { ...v, box: layers(random, 100, 2, 4) })).toThrow(/reads 100 values, not 8392/);
  });

  it('a verifier reading all of them: the classifier reads [pooled, profiles, extras, place] too', async () => {
    const input = await cropInput();
    const random = seededRandom(5);
    const extras = Float32Array.from([1, 0, -1.5, 0.3]);
    const place = Float32Array.from([0.2, 0.15, 0.1, 0.08]);
    const row = [...(await pooledByHand(input)), ...(await profilesByHand(input)), ...extras, ...place];
    const all = POOLED_FEATURES + PROFILE_FEATURES + 8;
    const v = { ...layers(random, all, 3, 3), box: layers(random, all, 2, 4) };
    const z = dense(v, row);
    const e = z.map((zi) => Math.exp(zi - Math.max(...z)));
    const expected = e.map((ei) => ei / e.reduce((a, b) => a + b, 0));
    for (const verifier of [v, { ...v, box: undefined }]) {
      const { inputs, out } = await runVerifier(verifier, input, extras, place);
      expect(inputs).toContain(VERIFIER_PLACE_INPUT);
      const got = out[VERIFIER_PROBS].data as Float32Array;
      for (let c = 0; c < 3; c++) expect(got[c]).toBeCloseTo(expected[c], 4);
    }
  });

  it('refuses a verifier sized for other inputs than its classes give', () => {
    const v = { dim: 10, hidden: 1, outputs: 2, w1: new Float32Array(10), b1: new Float32Array(1), w2: new Float32Array(2), b2: new Float32Array(2) };
    expect(() => verifierModel(base, v)).toThrow(/giving 2 probabilities reads 8391 values \(or 2243\), not 10/);
  });
});
