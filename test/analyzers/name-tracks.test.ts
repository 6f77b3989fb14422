import { describe, expect, it } from 'vitest';
import { NameTracks } from '../../src/analyzers/faces/name-tracks.js';
import { yawOf } from '../../src/analyzers/faces/yaw.js';
import type { Box } from '../../src/vision/iou.js';

const at = (x: number): Box => [x, 100, x + 80, 180];

describe('NameTracks', () => {
  it('gives a name only once it holds for confirm_frames frames of the same face', () => {
    const tracks = new NameTracks(2);
    const see = (box: Box, name: string | null, t: number) => tracks.see(box, name, t, tracks.frame(t));
    expect(see(at(100), 'ada', 0)).toBeUndefined();
    expect(see(at(104), 'ada', 500)).toBe('ada');
    // one lucky frame of a stranger: not named, then unknown
    expect(see(at(400), 'ada', 1000)).toBeUndefined();
    expect(see(at(402), null, 1500)).toBeNull();
    expect(see(at(404), 'ada', 2000)).toBeUndefined();
  });

  it('starts over for a face seen too long ago, and keeps two faces of one frame apart', () => {
    const tracks = new NameTracks(2);
    tracks.see(at(100), 'ada', 0, tracks.frame(0));
    expect(tracks.see(at(100), 'ada', 10_000, tracks.frame(10_000))).toBeUndefined();
    const claimed = tracks.frame(10_500);
    expect(tracks.see(at(100), 'ada', 10_500, claimed)).toBe('ada');
    expect(tracks.see(at(102), 'ada', 10_500, claimed)).toBeUndefined();
  });
});

describe('yawOf', () => {
  it('is 0 for a frontal face and grows as the nose moves towards an eye', () => {
    expect(
      yawOf([
        [40, 50],
        [80, 50],
        [60, 70],
      ]),
    ).toBeCloseTo(0);
    expect(
      yawOf([
        [40, 50],
        [80, 50],
        [70, 70],
      ]),
    ).toBeCloseTo(30);
    expect(
      yawOf([
        [40, 50],
        [80, 50],
        [85, 70],
      ]),
    ).toBe(90);
  });
});
