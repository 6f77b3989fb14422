import { describe, expect, it } from 'vitest';
import { FaceTracks } from '../../../src/analyzers/faces/face-tracks.js';
import type { Box } from '../../../src/vision/iou.js';

const at = (x: number): Box => [x, 100, x + 80, 180];
const vec = (v: number) => Float32Array.of(v, 1);

/** One face a frame: what the tracks say of its name, and the embedding they would keep for it. */
function follow(tracks: FaceTracks) {
  return (box: Box, name: string | null, t: number, embedding = vec(t)) => {
    const claimed = tracks.frame(t);
    const track = tracks.claim(box, t, claimed);
    const kept = tracks.kept(track, box, t);
    return { name: tracks.see(track, box, name, t, kept ?? embedding, kept === undefined), kept };
  };
}

describe('FaceTracks: names', () => {
  it('gives a name only once it holds for confirm_frames frames of the same face', () => {
    const see = follow(new FaceTracks(2));
    expect(see(at(100), 'ada', 0).name).toBeUndefined();
    expect(see(at(104), 'ada', 500).name).toBe('ada');
    // one lucky frame of a stranger: not named, then unknown
    expect(see(at(400), 'ada', 1000).name).toBeUndefined();
    expect(see(at(402), null, 1500).name).toBeNull();
    expect(see(at(404), 'ada', 2000).name).toBeUndefined();
  });

  it('starts over for a face seen too long ago, and keeps two faces of one frame apart', () => {
    const tracks = new FaceTracks(2);
    const see = (box: Box, name: string, t: number, claimed: ReturnType<FaceTracks['frame']>) => tracks.see(tracks.claim(box, t, claimed), box, name, t, vec(0), true);
    see(at(100), 'ada', 0, tracks.frame(0));
    expect(see(at(100), 'ada', 10_000, tracks.frame(10_000))).toBeUndefined();
    const claimed = tracks.frame(10_500);
    expect(see(at(100), 'ada', 10_500, claimed)).toBe('ada');
    expect(see(at(102), 'ada', 10_500, claimed)).toBeUndefined();
  });
});

describe('FaceTracks: kept embeddings', () => {
  it('keeps a settled face’s embedding for reembed_frames − 1 frames, then asks for a fresh one', () => {
    const see = follow(new FaceTracks(2, 3));
    expect(see(at(100), 'ada', 0).kept).toBeUndefined(); // new face
    expect(see(at(102), 'ada', 200).kept).toBeUndefined(); // its name not yet confirmed: embedded again
    expect(see(at(104), 'ada', 400).kept).toEqual(vec(200)); // confirmed at 200: that embedding stands
    expect(see(at(106), 'ada', 600).kept).toEqual(vec(200));
    expect(see(at(108), 'ada', 800).kept).toBeUndefined(); // the third frame since: embedded again
    expect(see(at(110), 'ada', 1000).kept).toEqual(vec(800));
  });

  it('embeds afresh a face that moved, one seen over a second ago, and every face with reembed_frames 1', () => {
    const see = follow(new FaceTracks(1, 3));
    see(at(100), null, 0);
    expect(see(at(100), null, 200).kept).toEqual(vec(0)); // a stranger's name is settled at once
    expect(see(at(140), null, 400).kept).toBeUndefined(); // moved half its width: IoU 0.33
    expect(see(at(140), null, 1600).kept).toBeUndefined(); // 1.2 s unseen
    const every = follow(new FaceTracks(1, 1));
    every(at(100), 'ada', 0);
    expect(every(at(100), 'ada', 200).kept).toBeUndefined();
  });

  it('a face whose name changes keeps no embedding until the new name is confirmed', () => {
    // the registry changed its mind on a fresh embedding: the new name must hold for two frames first
    const s = follow(new FaceTracks(2, 5));
    s(at(100), 'ada', 0);
    s(at(100), 'bob', 200);
    expect(s(at(100), 'bob', 400).kept).toBeUndefined();
    expect(s(at(100), 'bob', 600).kept).toEqual(vec(400));
  });
});
