import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { CenterNetDetector, decodeCenterNet, mergeViews, type ObjectsInput, ownInputSize, photoViews, SMALL_PHOTO } from '../../src/models/centernet.js';
import type { DetectScope } from '../../src/models/detection.js';
import type { SessionPool } from '../../src/models/session-pool.js';
import type { ModelInfo } from '../../src/models/tensor-data.js';
import { Detector } from '../../src/models/detector.js';
import { modelsSchema } from '../../src/models/model-config.js';
import { sampleVideo } from '../../src/sources/video-frames.js';

describe('decodeCenterNet', () => {
  const labels = ['person', 'bicycle', 'car'];
  // Letterbox of a 1024×512 frame into 512: scale 0.5, 128 px of padding above.
  const place = { scale: 0.5, padX: 0, padY: 128 };
  const rows = Float32Array.from([
    10,
    138,
    110,
    338,
    0.9,
    0, // person
    12,
    140,
    110,
    336,
    0.6,
    0, // the same person again: suppressed
    12,
    140,
    110,
    336,
    0.5,
    1, // a bicycle in the same place: a different class, kept
    200,
    200,
    300,
    300,
    0.1,
    2, // too faint
  ]);

  it('maps input boxes to source pixels through the letterbox and names the classes', () => {
    const dets = decodeCenterNet(rows, { labels, minScore: 0.3, ...place });
    expect(dets.map((d) => d.label)).toEqual(['person', 'bicycle']);
    expect(dets[0].score).toBeCloseTo(0.9, 6);
    expect(dets[0].box).toEqual([20, 20, 220, 420]);
  });

  it('drops a box wholly in the letterbox padding: clipped to the picture it has no area', () => {
    // rows in the band above the picture (input y 0–128 is padding); one reaching into the picture stays
    const band = Float32Array.from([100, 10, 140, 60, 0.99, 2, 200, 100, 260, 200, 0.8, 2]);
    const dets = decodeCenterNet(band, { labels, minScore: 0.3, ...place, picture: { width: 1024, height: 512 } });
    expect(dets).toHaveLength(1);
    expect(dets[0].box).toEqual([400, 0, 520, 144]);
  });

  it('clips boxes to the picture when told its size (a peak near the edge reaches past it)', () => {
    const dets = decodeCenterNet(rows, { labels, minScore: 0.3, ...place, picture: { width: 200, height: 300 } });
    expect(dets[0].box).toEqual([20, 20, 200, 300]);
  });

  it('names unknown classes by index', () => {
    const dets = decodeCenterNet(Float32Array.from([0, 128, 10, 138, 0.9, 7]), { labels, minScore: 0.3, ...place });
    expect(dets[0].label).toBe('class_7');
  });
});

describe('CenterNet input shapes', () => {
  const info = (shape: number[]): ModelInfo => ({ name: 'c', provider: 'cpu', inputs: [{ name: 'in', type: 'float32', shape }], outputs: [] });
  const size = (shape: number[], input: ObjectsInput, img: { width: number; height: number }, scope: DetectScope = 'all') =>
    new CenterNetDetector(undefined as unknown as SessionPool, { all: { name: 'c', info: info(shape) } }, ['person'], 0.3, input).inputSize(img, info(shape), scope);
  it('frame: 512 on the longer side, the shorter rounded up to 32 plus a 32-pixel band; square or a fixed graph: 512×512', () => {
    expect(size([1, -1, -1, 3], 'frame', { width: 640, height: 360 })).toEqual([512, 320]);
    expect(size([1, -1, -1, 3], 'frame', { width: 360, height: 640 })).toEqual([320, 512]);
    expect(size([1, -1, -1, 3], 'frame', { width: 1280, height: 853 })).toEqual([512, 384]);
    expect(size([1, -1, -1, 3], 'frame', { width: 500, height: 500 })).toEqual([512, 512]);
    expect(size([1, -1, -1, 3], 'square', { width: 640, height: 360 })).toEqual([512, 512]);
    expect(size([1, 512, 512, 3], 'frame', { width: 640, height: 360 })).toEqual([512, 512]);
  });

  it('camera (the default): a camera frame at its aspect, a photo square', () => {
    const free = [1, -1, -1, 3];
    expect(size(free, 'camera', { width: 640, height: 360 }, 'live')).toEqual([512, 320]);
    expect(size(free, 'camera', { width: 640, height: 360 }, 'all')).toEqual([512, 512]);
    expect(size(free, 'camera', { width: 640, height: 360 })).toEqual([512, 512]);
    expect(size([1, 512, 512, 3], 'camera', { width: 640, height: 360 }, 'live')).toEqual([512, 512]);
    expect(modelsSchema.parse({}).objects.input).toBe('camera');
  });

  it('a small photo’s second view: a square at its own size, rounded up to 32; none for a larger picture or a fixed graph', () => {
    const free = [1, -1, -1, 3];
    expect(ownInputSize({ width: 300, height: 300 }, free)).toEqual([320, 320]);
    expect(ownInputSize({ width: 320, height: 240 }, free)).toEqual([320, 320]);
    expect(ownInputSize({ width: SMALL_PHOTO, height: 200 }, free)).toEqual([384, 384]);
    expect(ownInputSize({ width: 40, height: 30 }, free)).toEqual([128, 128]);
    expect(ownInputSize({ width: SMALL_PHOTO + 1, height: 200 }, free)).toBeUndefined();
    expect(ownInputSize({ width: 640, height: 360 }, free)).toBeUndefined();
    expect(ownInputSize({ width: 300, height: 300 }, [1, 512, 512, 3])).toBeUndefined();
  });
});

describe('photoViews', () => {
  it('a small photo: its input, its own size, its input mirrored (and as Argus analyses a photo, 384² and 640² mirrored); a larger one or a fixed graph: its input alone', () => {
    const free = [1, -1, -1, 3];
    expect(photoViews({ width: 300, height: 300 }, free, [512, 512])).toEqual([
      { size: [512, 512], mirror: false },
      { size: [320, 320], mirror: false },
      { size: [512, 512], mirror: true },
    ]);
    expect(photoViews({ width: 300, height: 300 }, free, [512, 512], true)).toEqual([
      { size: [512, 512], mirror: false },
      { size: [320, 320], mirror: false },
      { size: [512, 512], mirror: true },
      { size: [384, 384], mirror: false },
      { size: [640, 640], mirror: true },
    ]);
    expect(photoViews({ width: 640, height: 360 }, free, [512, 512], true)).toEqual([{ size: [512, 512], mirror: false }]);
    expect(photoViews({ width: 640, height: 360 }, free, [512, 512])).toEqual([{ size: [512, 512], mirror: false }]);
    expect(photoViews({ width: 300, height: 300 }, [1, 512, 512, 3], [512, 512])).toEqual([{ size: [512, 512], mirror: false }]);
  });
});

describe('mergeViews', () => {
  it('keeps an object several views found once, at its highest score, its box their score-weighted mean; what one view alone found keeps its score and box', () => {
    const merged = mergeViews([
      [
        { label: 'pistol', score: 0.4, box: [10, 10, 50, 40] },
        { label: 'person', score: 0.9, box: [0, 0, 100, 200] },
      ],
      [
        { label: 'pistol', score: 0.6, box: [14, 12, 54, 42] }, // the same pistol (IoU 0.72), surer in another view
        { label: 'knife', score: 0.3, box: [11, 10, 50, 40] }, // another class in the same place: kept as it is
        { label: 'pistol', score: 0.2, box: [200, 200, 240, 230] }, // one view alone
      ],
    ]);
    expect(merged.map((d) => [d.label, d.score])).toEqual([
      ['person', 0.9],
      ['pistol', 0.6],
      ['knife', 0.3],
      ['pistol', 0.2],
    ]);
    const boxes = [
      [0, 0, 100, 200],
      [12.4, 11.2, 52.4, 41.2], // (0.6 × [14, 12, 54, 42] + 0.4 × [10, 10, 50, 40]) / 1
      [11, 10, 50, 40],
      [200, 200, 240, 230],
    ];
    for (const [i, d] of merged.entries()) for (const [k, v] of d.box.entries()) expect(v).toBeCloseTo(boxes[i][k], 9);
  });

  it("scales an agreed label's score by the square root of the share of views that found it; other labels keep theirs", () => {
    const pistol = (score: number, x = 10) => ({ label: 'pistol', score, box: [x, 10, x + 40, 40] as [number, number, number, number] });
    const person = { label: 'person', score: 0.8, box: [0, 0, 100, 200] as [number, number, number, number] };
    const merged = mergeViews(
      [
        [pistol(0.9), pistol(0.5, 300), person],
        [pistol(0.7)],
        [pistol(0.6), pistol(0.55, 12)], // two boxes of one view on one pistol count that view once
        [],
      ],
      new Set(['pistol']),
    );
    expect(merged.map((d) => d.label)).toEqual(['pistol', 'person', 'pistol']);
    expect(merged[0].score).toBeCloseTo(0.9 * Math.sqrt(3 / 4), 9); // three of four views
    expect(merged[1].score).toBe(0.8); // not an agreed label: one view of four, its own score
    expect(merged[2].score).toBeCloseTo(0.5 * Math.sqrt(1 / 4), 9); // one view alone
  });
});

describe('CenterNet input shapes (real model, the Hamilton clip)', () => {
  const clip = join(import.meta.dirname, '../../../shared/fixtures/video/short_hamilton_clip.mp4');
  it.skipIf(!existsSync(clip))(
    'objects.input frame: a 640×360 frame goes in as 512×320 and gives the persons square gives',
    async () => {
      const make = (input: 'square' | 'frame') => Detector.create({ config: modelsSchema.parse({ objects: { input } }), logger: silentLogger(), families: ['objects'] });
      const [square, frame] = await Promise.all([make('square'), make('frame')]);
      try {
        const iou = (a: number[], b: number[]) => {
          const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
          const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
          return (w * h) / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h);
        };
        let reference = 0;
        let matched = 0;
        let extra = 0;
        for await (const img of sampleVideo(clip, 1)) {
          const people = async (d: Detector) => (await d.detectObjects(img)).filter((o) => o.label === 'person' && o.score >= 0.4);
          const [a, b] = [await people(square), await people(frame)];
          reference += a.length;
          matched += a.filter((p) => b.some((q) => iou(p.box, q.box) >= 0.7)).length;
          extra += b.filter((q) => !a.some((p) => iou(p.box, q.box) >= 0.7)).length;
        }
        expect(reference).toBeGreaterThan(10);
        expect(matched / reference).toBeGreaterThanOrEqual(0.9);
        expect(extra).toBeLessThanOrEqual(Math.ceil(reference * 0.1));
      } finally {
        await Promise.all([square.close(), frame.close()]);
      }
    },
    60_000,
  );
});
