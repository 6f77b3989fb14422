import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { userModelSchema } from '../../src/models/model-config.js';
import { SessionPool } from '../../src/models/session-pool.js';
import { decodeYolo, detectYoloLayout, YoloDetector, type YoloLayout } from '../../src/models/yolo.js';
import type { RgbImage } from '../../src/vision/image.js';
import { writeConstantModel } from './onnx-graph.js';

const LABELS = ['person', 'pistol', 'rifle'];
const NC = LABELS.length;
const N = 20; // proposals in the raw layouts

// A 200×100 source letterboxed into 64×64: scale 0.32, 16 px of padding above and below.
// Source box [50, 25, 150, 75] is input box [16, 24, 48, 40]: centre (32, 32), size 32×16.
const SOURCE: RgbImage = { width: 200, height: 100, data: new Uint8Array(200 * 100 * 3) };
const EXPECTED = [50, 25, 150, 75];

/** Raw-head proposals: a strong pistol, a weaker duplicate of it (NMS must drop it), a faint rifle. */
const proposals = [
  { cx: 32, cy: 32, w: 32, h: 16, obj: 0.9, cls: 1, p: 0.95 },
  { cx: 33, cy: 32, w: 31, h: 16, obj: 0.9, cls: 1, p: 0.7 },
  { cx: 10, cy: 30, w: 8, h: 8, obj: 0.9, cls: 2, p: 0.1 },
];

function yolov5Tensor(): number[] {
  const rows: number[] = [];
  for (let i = 0; i < N; i++) {
    const p = proposals[i];
    const row = new Array(5 + NC).fill(0);
    if (p) {
      row.splice(0, 5, p.cx, p.cy, p.w, p.h, p.obj);
      row[5 + p.cls] = p.p;
    }
    rows.push(...row);
  }
  return rows;
}

function yolov8Tensor(): number[] {
  const out = new Array((4 + NC) * N).fill(0);
  proposals.forEach((p, i) => {
    for (const [c, v] of [p.cx, p.cy, p.w, p.h].entries()) out[c * N + i] = v;
    out[(4 + p.cls) * N + i] = p.obj * p.p;
  });
  return out;
}

const layouts: { layout: YoloLayout; dims: number[]; values: () => number[] }[] = [
  { layout: 'yolov5', dims: [1, N, 5 + NC], values: yolov5Tensor },
  { layout: 'yolov8', dims: [1, 4 + NC, N], values: yolov8Tensor },
  {
    layout: 'nms',
    dims: [1, 4, 6],
    values: () => [16, 24, 48, 40, 0.86, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  },
  { layout: 'nms7', dims: [2, 7], values: () => [0, 16, 24, 48, 40, 1, 0.86, 0, 1, 1, 2, 2, 2, 0.01] },
];

describe('detectYoloLayout', () => {
  it.each([
    [[1, 25200, 85], 80, 'yolov5'],
    [[1, 84, 8400], 80, 'yolov8'],
    [[1, 8400, 84], 80, 'yolov8'],
    [[1, 300, 6], 80, 'nms'],
    [[100, 7], 80, 'nms7'],
    [[1, 25200, 6], 1, 'yolov5'],
    [[1, 5, 8400], 1, 'yolov8'],
    [[1, 8400, 6], 2, 'yolov8'],
  ] as const)('reads %j with %i classes as %s', (dims, nc, layout) => {
    expect(detectYoloLayout(dims, nc)).toBe(layout);
  });

  it('refuses a shape that is no YOLO layout', () => {
    expect(() => detectYoloLayout([1, 2, 3, 4, 5], 80)).toThrow(/not one of the known layouts/);
  });
});

describe('decodeYolo', () => {
  it('converts centre boxes, multiplies objectness by class score and suppresses duplicates', () => {
    const dets = decodeYolo(
      { type: 'float32', dims: [1, N, 5 + NC], data: Float32Array.from(yolov5Tensor()) },
      { layout: 'yolov5', numClasses: NC, minScore: 0.3, iouThreshold: 0.45, inputWidth: 64, inputHeight: 64 },
    );
    expect(dets).toHaveLength(1);
    expect(dets[0].classId).toBe(1);
    expect(dets[0].score).toBeCloseTo(0.855, 5);
    expect(dets[0].box).toEqual([16, 24, 48, 40]);
  });

  it('scales normalised coordinates to input pixels', () => {
    const dets = decodeYolo(
      { type: 'float32', dims: [1, 1, 6], data: Float32Array.from([0.25, 0.375, 0.75, 0.625, 0.9, 0]) },
      { layout: 'nms', numClasses: NC, minScore: 0.3, iouThreshold: 0.45, inputWidth: 64, inputHeight: 64 },
    );
    expect(dets[0].box).toEqual([16, 24, 48, 40]);
  });

  it('keeps overlapping boxes of different classes', () => {
    const data = Float32Array.from([32, 32, 32, 16, 0.9, 0.9, 0, 0, 32, 32, 32, 16, 0.9, 0, 0.8, 0]);
    const dets = decodeYolo({ type: 'float32', dims: [1, 2, 8], data }, { layout: 'yolov5', numClasses: NC, minScore: 0.3, iouThreshold: 0.45, inputWidth: 64, inputHeight: 64 });
    expect(dets.map((d) => d.classId).sort()).toEqual([0, 1]);
  });
});

describe('YoloDetector on ONNX graphs that emit each export layout', () => {
  let dir: string;
  let pool: SessionPool;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-yolo-'));
    pool = new SessionPool({ provider: 'cpu', threads: 1, workers: 1 }, silentLogger());
  });
  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(layouts)('finds the pistol in source pixels from a $layout output $dims', async ({ layout, dims, values }) => {
    const path = await writeConstantModel(join(dir, `${layout}.onnx`), [1, 3, 64, 64], dims, values());
    const config = userModelSchema.parse({ path, labels: 'unused.txt', width: 64, height: 64 });
    const detector = await YoloDetector.create(pool, config, LABELS, silentLogger(), layout);
    const dets = await detector.detect(SOURCE);
    expect(dets).toHaveLength(1);
    expect(dets[0].label).toBe('pistol');
    expect(dets[0].score).toBeGreaterThan(0.8);
    for (const [i, v] of dets[0].box.entries()) expect(v).toBeCloseTo(EXPECTED[i], 3);
  });
});
