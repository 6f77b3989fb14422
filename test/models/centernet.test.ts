import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { CenterNetDetector, decodeCenterNet } from '../../src/models/centernet.js';
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
  const size = (shape: number[], input: 'square' | 'frame', img: { width: number; height: number }) =>
    new CenterNetDetector(undefined as unknown as SessionPool, { all: { name: 'c', info: info(shape) } }, ['person'], 0.3, input).inputSize(img, info(shape));
  it('frame: 512 on the longer side, the shorter rounded up to 32 plus a 32-pixel band; square or a fixed graph: 512×512', () => {
    expect(size([1, -1, -1, 3], 'frame', { width: 640, height: 360 })).toEqual([512, 320]);
    expect(size([1, -1, -1, 3], 'frame', { width: 360, height: 640 })).toEqual([320, 512]);
    expect(size([1, -1, -1, 3], 'frame', { width: 1280, height: 853 })).toEqual([512, 384]);
    expect(size([1, -1, -1, 3], 'frame', { width: 500, height: 500 })).toEqual([512, 512]);
    expect(size([1, -1, -1, 3], 'square', { width: 640, height: 360 })).toEqual([512, 512]);
    expect(size([1, 512, 512, 3], 'frame', { width: 640, height: 360 })).toEqual([512, 512]);
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
