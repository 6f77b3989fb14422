import { describe, expect, it } from 'vitest';
import { facesSchema } from '../../../src/analyzers/faces/config.js';
import { FaceAnalyzer, type FaceModels } from '../../../src/analyzers/faces/faces.js';
import { FaceEvents, blank as img, foundFace as face } from './found-face.js';

/** A face analyzer with an empty registry whose embedder gives each call the next of `vectors`. */
function strangers(vectors: number[][], config: Record<string, unknown> = {}) {
  let call = 0;
  const models = { embedFace: async () => Float32Array.from(vectors[call++]), detectFaces: async () => [] } as unknown as FaceModels;
  return new FaceAnalyzer(models, () => null, facesSchema.parse({ reembed_frames: 1, ...config }));
}

/** The events a stranger's face at x, at each time (ms), gives. */
const events = async (faces: FaceAnalyzer, frames: Array<[number, number]>) => {
  const seen = new FaceEvents();
  let n = 0;
  for (const [x, time] of frames) n += seen.see(await faces.analyzeFound(img, [face(x)], time), time);
  return n;
};

describe('one stranger, one visit: a stranger’s face followed from frame to frame, each like the one before, stays one visit', () => {
  // Embeddings that drift as a head turns, 40° a frame: each is 0.77 alike the one before (above
  // unknown_similarity, 0.7), the third and fourth 0.17 and −0.5 alike the first.
  const turning = [0, 40, 80, 120].map((deg) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);

  it('gives one event for a face followed over four frames, however far its embedding moves', async () => {
    expect(
      await events(strangers(turning), [
        [0, 0],
        [1, 200],
        [2, 400],
        [3, 600],
      ]),
    ).toBe(1);
  });

  it('tells strangers apart by embedding again for a face unlike the one before, away over a second, or moved away', async () => {
    const unlike = [turning[0], turning[2]]; // 0.17 alike
    // the same place 1.5 s later, a different face: a new stranger
    expect(
      await events(strangers(unlike), [
        [0, 0],
        [0, 1500],
      ]),
    ).toBe(2);
    // someone else in the same place on the next frame: a new stranger
    expect(
      await events(strangers(unlike), [
        [0, 0],
        [1, 200],
      ]),
    ).toBe(2);
    // in one frame's time the face jumped 40 px (no overlap): not followed
    expect(
      await events(strangers(unlike), [
        [0, 0],
        [40, 200],
      ]),
    ).toBe(2);
  });
});

describe('a cooldown of 0: every sighting a visit of its own', () => {
  it('still gives a stranger followed from frame to frame one event', async () => {
    const same = [
      [1, 0],
      [1, 0],
      [1, 0],
    ];
    const faces = strangers(same, { cooldown: 0 });
    const seen = new FaceEvents();
    let started = 0;
    for (const [x, time] of [
      [0, 0],
      [1, 200],
      [2, 400],
    ])
      started += seen.see(await faces.analyzeFound(img, [face(x)], time), time);
    expect(started).toBe(1);
  });
});

describe('a stranger then recognised', () => {
  it('is one event that takes the name, and stays one as they step out and back in elsewhere', async () => {
    let calls = 0;
    const models = { embedFace: async () => Float32Array.of(1, 0), detectFaces: async () => [] } as unknown as FaceModels;
    // unknown on the first two frames (a turned head), then recognised
    const faces = new FaceAnalyzer(models, () => (++calls > 2 ? { name: 'ada', similarity: 0.8 } : null), facesSchema.parse({ reembed_frames: 1, confirm_frames: 1 }));
    const seen = new FaceEvents();
    const names: Array<string | null | undefined> = [];
    let started = 0;
    for (const [x, time] of [
      [0, 0],
      [1, 200],
      [2, 400],
      [3, 600],
      [40, 20_000], // back 19 s later, across the frame
    ]) {
      const found = await faces.analyzeFound(img, [face(x)], time);
      names.push(...found.map((d) => d.sub_label));
      started += seen.see(found, time);
    }
    expect(names).toEqual([null, null, 'ada', 'ada', 'ada']);
    expect(started).toBe(1);
  });
});

describe('a person renamed while in view', () => {
  it('stays one visit under the new name, named on the next frame', async () => {
    let name = 'joe';
    const models = { embedFace: async () => Float32Array.of(1, 0), detectFaces: async () => [] } as unknown as FaceModels;
    // the registry keeps the person's id through a rename; confirm_frames 2: a new person would wait a frame
    const faces = new FaceAnalyzer(models, () => ({ name, similarity: 0.8, personId: 7 }), facesSchema.parse({ reembed_frames: 1, confirm_frames: 2 }));
    const seen = new FaceEvents();
    const reports: Array<[string | null | undefined, string | undefined]> = [];
    let started = 0;
    for (const [x, time] of [
      [0, 0],
      [1, 200],
      [2, 400],
      [3, 600],
    ]) {
      if (time === 400) name = 'joseph';
      const found = await faces.analyzeFound(img, [face(x)], time);
      reports.push(...found.map((d): [string | null | undefined, string | undefined] => [d.sub_label, d.identity]));
      started += seen.see(found, time);
    }
    expect(reports).toEqual([
      ['joe', 'visit:1'],
      ['joseph', 'visit:1'],
      ['joseph', 'visit:1'],
    ]);
    expect(started).toBe(1);
  });
});
