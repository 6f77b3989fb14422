import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { cropFeatureModel, POOLED, POOLED_FEATURES, VERIFIER_CROP, VERIFIER_EXTRAS_INPUT, VERIFIER_PROBS, verifierModel } from '../../src/convert/crop-verifier.js';
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

describe('crop verifier graphs (CenterNet cut, pooled, two layers)', () => {
  it('cropFeatureModel pools each deep source: means then maxima, 2,240 values', async () => {
    const input = await cropInput();
    const expected = await pooledByHand(input);
    const s = await ort.InferenceSession.create(cropFeatureModel(base), options);
    const got = (await s.run({ [CENTERNET_TENSORS.input]: input }))[POOLED].data as Float32Array;
    await s.release();
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
    const v = {
      dim,
      hidden,
      outputs,
      w1: Float32Array.from({ length: hidden * dim }, () => (random() - 0.5) * 0.02),
      b1: Float32Array.from({ length: hidden }, () => random() - 0.5),
      w2: Float32Array.from({ length: outputs * hidden }, () => random() - 0.5),
      b2: Float32Array.from({ length: outputs }, () => random() - 0.5),
    };
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

  it('refuses a verifier that reads fewer values than the pooled features', () => {
    const v = { dim: 10, hidden: 1, outputs: 2, w1: new Float32Array(10), b1: new Float32Array(1), w2: new Float32Array(2), b2: new Float32Array(2) };
    expect(() => verifierModel(base, v)).toThrow(/reads 10 values, fewer than the 2240 pooled features/);
  });
});
