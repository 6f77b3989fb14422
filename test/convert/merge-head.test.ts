import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeHead, mergeHeads } from '../../src/convert/merge-head.js';
import { featureChannels } from '../../src/train/feature-model.js';
import { FeatureExtractor } from '../../src/train/features.js';
import { type ExportedHead, exportHead, headLogits, type HeadParams } from '../../src/train/head.js';
import { loadImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';

const { onnx } = onnxProto;
const FEATURE_CHANNELS = featureChannels('neck');
const MODELS = join(import.meta.dirname, '../../models');
const PHOTO = join(import.meta.dirname, '../../../shared/fixtures/people/group-3.jpg');

/** A linear head whose class logits are constants (`bias`) and whose box correction is `delta` (log space). */
function constantHead(classes: number, bias: number, delta: number): ExportedHead {
  const outputs = classes + 4;
  return {
    dim: FEATURE_CHANNELS,
    hidden: 0,
    classes,
    boxes: true,
    w1: new Float32Array(0),
    b1: new Float32Array(0),
    w2: new Float32Array(outputs * FEATURE_CHANNELS),
    b2: Float32Array.from({ length: outputs }, (_, i) => (i < classes ? bias : delta)),
  };
}

async function run(bytes: Uint8Array, input: ort.Tensor): Promise<{ rows: Float32Array; heat: number[] }> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const out = await s.run({ 'tower_0/images': input });
  await s.release();
  return { rows: out['tower_0/detections'].data as Float32Array, heat: [...out['tower_0/keypoints'].dims] };
}

const rowsOf = (rows: Float32Array) => Array.from({ length: rows.length / 6 }, (_, i) => Array.from(rows.subarray(i * 6, i * 6 + 6)));

describe('mergeHead (real CenterNet)', () => {
  let base: Uint8Array;
  let input: ort.Tensor;
  let plain: { rows: Float32Array; heat: number[] };
  beforeAll(async () => {
    base = readFileSync(join(MODELS, 'centernet.onnx'));
    const lb = await letterboxTensor(await loadImage(PHOTO), 512, 512, 0, { layout: 'nhwc' });
    input = new ort.Tensor('float32', lb.data, [1, 512, 512, 3]);
    plain = await run(base, input);
  });

  it('a class that never fires leaves every COCO detection as it was', async () => {
    const merged = await run(mergeHead(base, constantHead(2, -30, 0)), input);
    expect(merged.heat).toEqual([1, 128, 128, 82]);
    expect(rowsOf(merged.rows)).toEqual(rowsOf(plain.rows));
  });

  it('new classes decode with their own index, and their box correction scales the box head', async () => {
    const even = rowsOf((await run(mergeHead(base, constantHead(1, 30, 0)), input)).rows);
    const doubled = rowsOf((await run(mergeHead(base, constantHead(1, 30, Math.log(2))), input)).rows);
    // every cell scores ~1 for class 80 now, so it fills the top-k (the same cells in both: the heatmaps are equal)
    expect(even.every((r) => r[5] === 80 && r[4] > 0.99)).toBe(true);
    for (const [a, b] of even.slice(0, 10).map((r, i) => [r, doubled[i]])) {
      expect(b[2] - b[0]).toBeCloseTo(2 * (a[2] - a[0]), 2);
      expect(b[3] - b[1]).toBeCloseTo(2 * (a[3] - a[1]), 2);
    }
  });

  it('a suppressed COCO class is gone, the others stay', async () => {
    const plainPeople = rowsOf(plain.rows).filter((r) => r[5] === 0 && r[4] > 0.3);
    expect(plainPeople.length).toBeGreaterThan(0);
    const merged = rowsOf((await run(mergeHead(base, constantHead(1, -30, 0), { suppress: [0] }), input)).rows);
    expect(merged.filter((r) => r[5] === 0 && r[4] > 0.01)).toEqual([]);
    expect(merged.filter((r) => r[5] !== 0 && r[4] > 0.3).length).toBe(rowsOf(plain.rows).filter((r) => r[5] !== 0 && r[4] > 0.3).length);
  });

  it('several heads: their classes follow one another, and each class gets the box correction of its own head', async () => {
    const single = rowsOf((await run(mergeHead(base, constantHead(1, 30, 0)), input)).rows);
    // head 0 never fires, head 1 (class 81) fires everywhere with boxes doubled
    const second = await run(mergeHeads(base, [constantHead(1, -30, Math.log(3)), constantHead(1, 30, Math.log(2))]), input);
    expect(second.heat).toEqual([1, 128, 128, 82]);
    const rows = rowsOf(second.rows);
    expect(rows.every((r) => r[5] === 81 && r[4] > 0.99)).toBe(true);
    for (const [a, b] of single.slice(0, 10).map((r, i) => [r, rows[i]])) {
      expect(b[2] - b[0]).toBeCloseTo(2 * (a[2] - a[0]), 2);
      expect(b[3] - b[1]).toBeCloseTo(2 * (a[3] - a[1]), 2);
    }
    // head 0 (class 80) fires, head 1 does not: class 80 with head 0's correction (×3), not head 1's
    const first = rowsOf((await run(mergeHeads(base, [constantHead(1, 30, Math.log(3)), constantHead(2, -30, Math.log(2))]), input)).rows);
    expect(first.every((r) => r[5] === 80)).toBe(true);
    for (const [a, b] of single.slice(0, 10).map((r, i) => [r, first[i]])) expect(b[2] - b[0]).toBeCloseTo(3 * (a[2] - a[0]), 2);
    // COCO detections keep CenterNet's own boxes when both heads stay silent
    const silent = rowsOf((await run(mergeHeads(base, [constantHead(1, -30, Math.log(3)), constantHead(1, -30, Math.log(2))]), input)).rows);
    expect(silent).toEqual(rowsOf(plain.rows));
  });

  describe('a deep head computes in the graph what training computes from the feature maps', () => {
    const dim = featureChannels('deep');
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    };
    const hidden = 8;
    const params: HeadParams = {
      dim,
      hidden,
      classes: 1,
      boxes: true,
      mean: Float32Array.from({ length: dim }, () => rand()),
      invStd: Float32Array.from({ length: dim }, () => 1 + rand()),
      w1: Float32Array.from({ length: hidden * dim }, () => rand() * 0.1),
      b1: Float32Array.from({ length: hidden }, () => rand()),
      w2: Float32Array.from({ length: 5 * hidden }, () => rand()),
      b2: Float32Array.from({ length: 5 }, () => rand()),
    };
    /** The merged model with some of its inner tensors as outputs too. */
    async function session(stride: 4 | 8, outputs: string[]): Promise<ort.InferenceSession> {
      const merged = onnx.ModelProto.decode(mergeHead(base, exportHead(params), { stride }));
      for (const name of outputs) merged.graph?.output?.push(onnx.ValueInfoProto.create({ name }));
      return ort.InferenceSession.create(onnx.ModelProto.encode(merged).finish(), { intraOpNumThreads: 1 });
    }
    /** What training computes at a stride-4 cell of the 128×128 map. */
    async function expected(): Promise<(x: number, y: number) => number[]> {
      const extractor = await FeatureExtractor.create(base, [512], 1, 'deep');
      try {
        const f = await extractor.run(await loadImage(PHOTO), 512);
        return (x, y) =>
          headLogits(
            params,
            f.maps.sources.flatMap(({ planes, ratio }) => planes.map((p) => p[Math.floor(y / ratio) * (128 / ratio) + Math.floor(x / ratio)])),
          );
      } finally {
        await extractor.close();
      }
    }
    // cells in every corner of a stride-32 cell, and across the map
    const cells = [
      [0, 0],
      [3, 3],
      [4, 0],
      [7, 8],
      [64, 65],
      [126, 126],
      [33, 90],
    ];

    it('at stride 4, every cell, at any input size', async () => {
      const s = await session(4, ['argus_head/out']);
      const want = await expected();
      try {
        const out = (await s.run({ 'tower_0/images': input }))['argus_head/out'];
        expect(out.dims).toEqual([1, 5, 128, 128]);
        for (const [x, y] of cells) for (let o = 0; o < 5; o++) expect((out.data as Float32Array)[o * 128 * 128 + y * 128 + x]).toBeCloseTo(want(x, y)[o], 3);
        // frame-shaped input: the coarse sources upsample to the fine grid of any multiple of 32
        const wide = await s.run({ 'tower_0/images': new ort.Tensor('float32', new Float32Array(320 * 512 * 3), [1, 320, 512, 3]) });
        expect(wide['argus_head/out'].dims).toEqual([1, 5, 80, 128]);
      } finally {
        await s.release();
      }
    });

    it('at stride 4 on a frame at its own aspect (512×384): what training’s view at that shape computes', async () => {
      // train objects takes its 512 view at the picture's aspect (LIVE_VIEW), as live analysis runs a camera frame
      const s = await session(4, ['argus_head/out']);
      const extractor = await FeatureExtractor.create(base, [], 1, 'deep');
      try {
        const img = await loadImage(PHOTO); // 1920×1537: 512×384 at its aspect (frameInputSize)
        const f = await extractor.run(img, [512, 384]);
        expect([f.maps.cols, f.maps.rows]).toEqual([128, 96]);
        const lb = await letterboxTensor(img, 512, 384, 0, { layout: 'nhwc' });
        const out = (await s.run({ 'tower_0/images': new ort.Tensor('float32', lb.data, [1, 384, 512, 3]) }))['argus_head/out'];
        expect(out.dims).toEqual([1, 5, 96, 128]);
        for (const [x, y] of [...cells.filter(([, y]) => y < 96), [127, 95], [5, 90]]) {
          const want = headLogits(
            params,
            f.maps.sources.flatMap(({ planes, ratio }) => planes.map((p) => p[Math.floor(y / ratio) * (128 / ratio) + Math.floor(x / ratio)])),
          );
          for (let o = 0; o < 5; o++) expect((out.data as Float32Array)[o * 96 * 128 + y * 128 + x]).toBeCloseTo(want[o], 3);
        }
      } finally {
        await s.release();
        await extractor.close();
      }
    });

    it('at stride 8 (the default): every other cell, then bilinear onto the stride-4 map', async () => {
      const s = await session(8, ['argus_head/out_coarse', 'argus_head/out']);
      const want = await expected();
      try {
        const run = await s.run({ 'tower_0/images': input });
        const coarse = run['argus_head/out_coarse'];
        const out = run['argus_head/out'];
        expect(coarse.dims).toEqual([1, 5, 64, 64]);
        expect(out.dims).toEqual([1, 5, 128, 128]);
        const at = (t: ort.Tensor, o: number, x: number, y: number) => (t.data as Float32Array)[o * t.dims[2] * t.dims[3] + y * t.dims[3] + x];
        for (const [x, y] of cells)
          for (let o = 0; o < 5; o++) expect(at(coarse, o, Math.floor(x / 2), Math.floor(y / 2))).toBeCloseTo(want(2 * Math.floor(x / 2), 2 * Math.floor(y / 2))[o], 3);
        // half-pixel bilinear ×2: fine cell 2i+1 lies a quarter of the way from coarse i to i+1
        for (let o = 0; o < 5; o++) {
          const blend = 0.75 * (0.75 * at(coarse, o, 20, 30) + 0.25 * at(coarse, o, 21, 30)) + 0.25 * (0.75 * at(coarse, o, 20, 31) + 0.25 * at(coarse, o, 21, 31));
          expect(at(out, o, 41, 61)).toBeCloseTo(blend, 4);
        }
        const wide = await s.run({ 'tower_0/images': new ort.Tensor('float32', new Float32Array(320 * 512 * 3), [1, 320, 512, 3]) });
        expect(wide['argus_head/out'].dims).toEqual([1, 5, 80, 128]);
      } finally {
        await s.release();
      }
    });
  });

  it('refuses a head that reads a feature count no set has', () => {
    expect(() => mergeHead(base, { ...constantHead(1, -30, 0), dim: 100, w2: new Float32Array(5 * 100) })).toThrow(
      /head reads 100 features; the model gives 384 \(neck\) or 1120 \(deep\)/,
    );
  });

  it('refuses a model that already has a head', () => {
    const once = mergeHead(base, constantHead(1, -30, 0));
    expect(() => mergeHead(once, constantHead(1, -30, 0))).toThrow(/already has a merged head/);
  });
});
