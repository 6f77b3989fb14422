import { describe, expect, it } from 'vitest';
import { facesSchema } from '../../../src/analyzers/faces/config.js';
import { FaceAnalyzer, type FaceModels } from '../../../src/analyzers/faces/faces.js';
import { FaceEvents, blank as img, foundFace as face } from './found-face.js';

/** A face analyzer whose embedder counts its runs; the registry names every face ada. */
function analyzer(config: Record<string, unknown>) {
  let runs = 0;
  const models = {
    embedFace: async () => {
      runs++;
      return Float32Array.of(1, 0);
    },
    detectFaces: async () => [],
  } as unknown as FaceModels;
  const faces = new FaceAnalyzer(models, () => ({ name: 'ada', similarity: 0.9 }), facesSchema.parse(config));
  return { faces, runs: () => runs };
}

describe('the face analyzer keeps a settled face’s embedding for a few frames (reembed_frames)', () => {
  it('embeds a face that stays put on frames 1, 2 (confirming its name), 5 and 8 (every third), and names it as before', async () => {
    const { faces, runs } = analyzer({ confirm_frames: 2, reembed_frames: 3 });
    const counts: number[] = [];
    const named: (string | null)[] = [];
    const events = new FaceEvents();
    let started = 0;
    for (let frame = 0; frame < 8; frame++) {
      const found = await faces.analyzeFound(img, [face(frame)], frame * 200);
      named.push(...found.map((d) => d.sub_label ?? null));
      started += events.see(found, frame * 200);
      counts.push(runs());
    }
    expect(counts).toEqual([1, 2, 2, 2, 3, 3, 3, 4]);
    // named on its second frame, then every frame it stays: one visit, one event
    expect(named).toEqual(Array(7).fill('ada'));
    expect(started).toBe(1);
  });

  it('embeds every frame with reembed_frames 1, and each of two faces that swap places', async () => {
    const every = analyzer({ confirm_frames: 1, reembed_frames: 1 });
    for (let frame = 0; frame < 3; frame++) await every.faces.analyzeFound(img, [face(0)], frame * 200);
    expect(every.runs()).toBe(3);
    const two = analyzer({ confirm_frames: 1, reembed_frames: 5 });
    await two.faces.analyzeFound(img, [face(0), face(40)], 0);
    await two.faces.analyzeFound(img, [face(0), face(40)], 200);
    expect(two.runs()).toBe(2); // both kept
    await two.faces.analyzeFound(img, [face(20)], 400); // between them, overlapping neither by half
    expect(two.runs()).toBe(3);
  });
});
