import { describe, expect, it } from 'vitest';
import { facesSchema } from '../../../src/analyzers/faces/config.js';
import { FaceAnalyzer, type FaceModels } from '../../../src/analyzers/faces/faces.js';
import { blank as img, foundFace as face } from './found-face.js';
import { heldCall, tick } from '../../helpers/held-call.js';

describe('the face analyzer queues a frame’s embeddings at once (the worker runs one while this thread aligns the next)', () => {
  it('the face analyzer asks for every embedding before the first is back, and names each face', async () => {
    const embed = heldCall<Float32Array>();
    const models = { embedFace: embed.call, detectFaces: async () => [] } as unknown as FaceModels;
    const analyzer = new FaceAnalyzer(models, () => ({ name: 'ada', similarity: 0.9 }), facesSchema.parse({ confirm_frames: 1 }));
    const result = analyzer.analyzeFound(img, [face(0), face(30)], 0);
    await tick();
    expect(embed.calls).toBe(2);
    embed.answerAll(Float32Array.of(1, 0));
    expect((await result).map((d) => d.sub_label)).toEqual(['ada']); // two faces, one name: one of them is not ada
  });
});
