import { describe, expect, it } from 'vitest';
import { decodeCenterNet } from '../../src/models/centernet.js';

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

  it('names unknown classes by index', () => {
    const dets = decodeCenterNet(Float32Array.from([0, 128, 10, 138, 0.9, 7]), { labels, minScore: 0.3, ...place });
    expect(dets[0].label).toBe('class_7');
  });
});
