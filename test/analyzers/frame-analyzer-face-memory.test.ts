import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AnalyzerModels, type AnyAnalyzer, defineAnalyzer } from '../../src/analyzers/analyzer.js';
import type { FaceSearch } from '../../src/models/detection.js';
import type { Box } from '../../src/vision/iou.js';
import { frameAnalyzerOf } from './frame-analyzer-rig.js';

/** An analyzer that only asks for the frame's faces. */
const faceCounter = defineAnalyzer({
  name: 'facecount',
  config: z.object({}).strict(),
  needs: ['faces'],
  kinds: [{ kind: 'facecount', colour: '#000000', alerts: [], entities: [] }],
  create: () => ({
    analyze: async ({ faces }) => {
      await faces();
      return [];
    },
  }),
});

describe("FrameAnalyzer: the faces of a camera's previous frame spare the unsure ones their second look", () => {
  it("passes the last frame's faces when they were all looked at and under a second old, so each face is looked at once in three frames", async () => {
    const seen: Array<readonly Box[] | undefined> = [];
    const models = {
      has: (f: string) => f === 'faces',
      detectFaces: async (_img: unknown, opts: FaceSearch) => {
        seen.push(opts.confirmed);
        return [{ box: [10, 10, 20, 20] as Box, score: 0.7, landmarks: [] }];
      },
    } as unknown as AnalyzerModels;
    const analyzer = frameAnalyzerOf([faceCounter as AnyAnalyzer], { models });
    const frame = (camera: string, time: number) => ({ camera, width: 4, height: 4, seq: 0, time, data: Buffer.alloc(48) });
    const motion = { motion: true, boxes: [], changed: 1 };
    for (const t of [0, 200, 400, 600, 800]) await analyzer.analyze(frame('door', t), motion);
    const box: Box[] = [[10, 10, 20, 20]];
    expect(seen).toEqual([undefined, box, box, undefined, box]);
    // another camera has its own memory; a frame after a gap of over a second gets none
    await analyzer.analyze(frame('yard', 800), motion);
    await analyzer.analyze(frame('door', 2000), motion);
    expect(seen.slice(5)).toEqual([undefined, undefined]);
  });

  it('spreads the second looks of faces that came into view together over the next frames', async () => {
    const confirmed: Array<number | undefined> = [];
    const crowd = Array.from({ length: 6 }, (_, i) => ({ box: [i * 30, 10, i * 30 + 20, 30] as Box, score: 0.7, landmarks: [] }));
    const models = {
      has: (f: string) => f === 'faces',
      detectFaces: async (_img: unknown, opts: FaceSearch) => {
        confirmed.push(opts.confirmed?.length);
        return crowd;
      },
    } as unknown as AnalyzerModels;
    const analyzer = frameAnalyzerOf([faceCounter as AnyAnalyzer], { models });
    const motion = { motion: true, boxes: [], changed: 1 };
    for (let t = 0; t <= 1200; t += 200) await analyzer.analyze({ camera: 'hall', width: 4, height: 4, seq: 0, time: t, data: Buffer.alloc(48) }, motion);
    // all six looked at on the first frame, then two a frame (each still once in three frames), not six every third frame
    expect(confirmed).toEqual([undefined, 4, 4, 4, 4, 4, 4]);
  });
});
