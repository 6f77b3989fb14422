import { describe, expect, it } from 'vitest';
import { decodeMoveNet } from '../../src/models/movenet.js';
import { MOVENET_KEYPOINTS } from '../../src/models/pose-keypoints.js';

describe('decodeMoveNet', () => {
  it('reads (y, x, score) triples normalised to the padded square into source pixels', () => {
    const out = new Float32Array(17 * 3);
    out.set([0.25, 0.5, 0.9], 0); // nose
    out.set([0.75, 0.1, 0.2], 16 * 3); // right ankle
    // a 400×200 frame padded to a 400 square starting 100 px above the frame
    const kps = decodeMoveNet(out, 400, 0, -100);
    expect(kps.map((k) => k.name)).toEqual([...MOVENET_KEYPOINTS]);
    expect(kps[0]).toEqual({ name: 'nose', x: 200, y: 0, score: expect.closeTo(0.9, 6) });
    expect(kps[16].x).toBeCloseTo(40);
    expect(kps[16].y).toBeCloseTo(200);
  });
});
