import { describe, expect, it } from 'vitest';
import { alignmentTransform, cosineSimilarity, FACE_TEMPLATE_112, l2Normalize } from '../../src/models/face-embedder.js';
import { warpAffine } from '../../src/vision/affine.js';
import { applyAffine, type Point } from '../../src/vision/affine.js';
import type { RgbImage } from '../../src/vision/image.js';

describe('alignmentTransform', () => {
  it('puts eyes, nose and mouth of a rotated, scaled, shifted face exactly on the template', () => {
    const theta = -0.4,
      s = 2.5;
    const place = ([x, y]: Point): Point => [s * (Math.cos(theta) * x - Math.sin(theta) * y) + 300, s * (Math.sin(theta) * x + Math.cos(theta) * y) + 120];
    const landmarks = [...FACE_TEMPLATE_112.map(place), [0, 0] as Point, [1, 1] as Point]; // ears are ignored
    const m = alignmentTransform(landmarks, 112);
    FACE_TEMPLATE_112.forEach((t, i) => {
      const p = applyAffine(m, landmarks[i]);
      expect(p[0]).toBeCloseTo(t[0], 6);
      expect(p[1]).toBeCloseTo(t[1], 6);
    });
  });

  it('scales the template to the crop size and zooms out about its centre', () => {
    const m = alignmentTransform([...FACE_TEMPLATE_112], 224, 0.5);
    const p = applyAffine(m, FACE_TEMPLATE_112[0]);
    expect(p[0]).toBeCloseTo(((38.2946 - 56) * 0.5 + 56) * 2, 6);
  });
});

describe('face alignment', () => {
  it('crops an upright face: the pixel under the right eye lands at the template eye', () => {
    const width = 300,
      height = 300;
    const data = new Uint8Array(width * height * 3);
    data.set([255, 0, 0], (100 * width + 100) * 3); // one red pixel at the right eye (100, 100)
    const img: RgbImage = { width, height, data };
    const landmarks: Point[] = FACE_TEMPLATE_112.map(([x, y]) => [x - 38.2946 + 100, y - 51.6963 + 100]);
    const crop = warpAffine(img, alignmentTransform(landmarks, 112), 112, 112); // the embedder warps its input the same way
    const at = (x: number, y: number) => crop.data[(y * 112 + x) * 3];
    expect(at(38, 51)).toBeGreaterThan(20);
    expect(at(60, 60)).toBe(0);
  });
});

describe('embedding maths', () => {
  it('L2-normalises to unit length and leaves zero vectors at zero', () => {
    const v = l2Normalize(Float32Array.from([3, 4]));
    expect([...v]).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect([...l2Normalize(new Float32Array(3))]).toEqual([0, 0, 0]);
  });

  it('scores cosine similarity from −1 to 1', () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 2])).toBeCloseTo(0);
    expect(cosineSimilarity([1, 1], [-2, -2])).toBeCloseTo(-1);
  });
});
