import { describe, expect, it } from 'vitest';
import { blazePoseAnchors, decodeNextRoi, decodePoseDetections, decodePoseLandmarks, keypointBox } from '../../src/models/blazepose.js';
import { BLAZEPOSE_KEYPOINTS } from '../../src/models/pose-keypoints.js';

describe('blazePoseAnchors', () => {
  it('has 2254 anchors: 28² × 2, 14² × 2, then 7² × 6', () => {
    const a = blazePoseAnchors();
    expect(a).toHaveLength(2254);
    expect(a[0]).toEqual([4, 4]);
    expect(a[1568]).toEqual([8, 8]);
    expect(a[1568 + 392]).toEqual([16, 16]);
    expect(a[1568 + 392 + 5]).toEqual([16, 16]);
    expect(a[2253]).toEqual([208, 208]);
  });
});

describe('decodePoseDetections', () => {
  const anchors = blazePoseAnchors();
  const rows = new Float32Array(2254 * 13).fill(0);
  for (let i = 0; i < 2254; i++) rows[i * 13] = -20;
  const put = (i: number, values: number[]) => rows.set(values, i * 13);
  // anchor 1568 + 2·(3·14 + 6) = 1664 is at (104, 56): a standing person, face box around the anchor,
  // hips 60 px below it, the body circle's top point 40 px above it
  put(1664, [2, 0, 0, 20, 20, 0, 60, 0, -40, 0, 30, 0, -10]);
  // anchor 2·(20·28 + 5) = 1130 is at (44, 164): a person lying with the head to the right
  put(1130, [1, 0, 0, 16, 16, -50, 0, 30, 0, 0, 0, 0, 0]);

  it('centres the ROI on the hips, sizes it from the body circle, and reads an upright body as rotation 0', () => {
    const rois = decodePoseDetections(rows, anchors, { minScore: 0.5, maxPeople: 5 });
    expect(rois).toHaveLength(2);
    const [up, lying] = rois;
    expect(up.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect([up.cx, up.cy]).toEqual([104, 116]);
    expect(up.side).toBeCloseTo(2 * 100 * 1.25, 6);
    expect(up.rotation).toBeCloseTo(0, 6);
    expect(up.box).toEqual([94, 46, 114, 66]);
    expect(lying.rotation).toBeCloseTo(Math.PI / 2, 6);
    expect(lying.side).toBeCloseTo(2 * 80 * 1.25, 6);
  });

  it('keeps at most maxPeople, the surest first', () => {
    const rois = decodePoseDetections(rows, anchors, { minScore: 0.5, maxPeople: 1 });
    expect(rois).toHaveLength(1);
    expect(rois[0].cx).toBe(104);
  });
});

describe('decodePoseLandmarks', () => {
  it('maps the first 33 of 39 landmarks back to source pixels with sigmoid visibility', () => {
    const ld = new Float32Array(195);
    ld.set([128, 64, 0.3, 4, 5], 0); // nose: visible
    ld.set([10, 250, 0, -4, 5], 32 * 5); // right foot index: hidden
    ld.set([999, 999, 0, 9, 9], 33 * 5); // auxiliary points are not keypoints
    const kps = decodePoseLandmarks(ld, ([x, y]) => [x * 2 + 100, y * 2]);
    expect(kps).toHaveLength(33);
    expect(kps.map((k) => k.name)).toEqual([...BLAZEPOSE_KEYPOINTS]);
    expect(kps[0]).toMatchObject({ name: 'nose', x: 356, y: 128 });
    expect(kps[0].score).toBeCloseTo(1 / (1 + Math.exp(-4)), 6);
    expect(kps[32].score).toBeLessThan(0.05);
  });

  it('boxes the confident keypoints', () => {
    const kps = [
      { name: 'a', x: 10, y: 20, score: 0.9 },
      { name: 'b', x: 50, y: 80, score: 0.8 },
      { name: 'c', x: 500, y: 500, score: 0.1 },
    ];
    expect(keypointBox(kps, 0.5)).toEqual([10, 20, 50, 80]);
  });

  it("reads the next frame's ROI from the auxiliary landmarks: hip centre, body circle × 1.25, turned to the body", () => {
    const ld = new Float32Array(195);
    ld.set([50, 100, 0, 0, 0], 33 * 5); // hip centre, crop pixels
    ld.set([50, 20, 0, 0, 0], 34 * 5); // the body circle's edge, straight above
    const upright = decodeNextRoi(ld, ([x, y]) => [x * 2 + 100, y * 2]);
    expect(upright).toMatchObject({ cx: 200, cy: 200, side: 2 * 160 * 1.25 });
    expect(upright.rotation).toBeCloseTo(0, 6);
    ld.set([130, 100, 0, 0, 0], 34 * 5); // the edge to the right: a body lying with its head to the right
    expect(decodeNextRoi(ld, (p) => p).rotation).toBeCloseTo(Math.PI / 2, 6);
  });
});
