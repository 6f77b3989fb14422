import { describe, expect, it } from 'vitest';
import type { AnalyzerModels } from '../../src/analyzers/analyzer.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { silentLogger } from '../../src/log.js';
import { glowAnalyzer } from './throwaway/index.js';

/** No model at all: the throwaway "glow" analyzer needs none. */
const noModels = { has: () => false } as unknown as AnalyzerModels;
const white = (camera: string) => ({ camera, width: 4, height: 4, seq: 0, time: 0, data: Buffer.alloc(48, 255) });
const motion = { motion: true, boxes: [], changed: 1 };

describe('FrameAnalyzer with analyzers switched off from the web UI', () => {
  it('skips a switched-off analyzer on that camera only, and counts the frame idle', async () => {
    const off = new Set(['door/glow']);
    const idle: string[] = [];
    const analyzer = new FrameAnalyzer({
      analyzers: [glowAnalyzer],
      models: noModels,
      matchFace: () => null,
      references: () => [],
      config: {} as never,
      cameras: {},
      now: () => 0,
      logger: silentLogger(),
      switchedOff: (camera, name) => off.has(`${camera}/${name}`),
      onIdle: (camera) => idle.push(camera),
    });
    expect(await analyzer.analyze(white('door'), motion)).toEqual([]);
    expect(idle).toEqual(['door']);
    expect((await analyzer.analyze(white('yard'), motion)).map((d) => d.kind)).toEqual(['glow']);
    off.delete('door/glow');
    expect((await analyzer.analyze(white('door'), motion)).map((d) => d.kind)).toEqual(['glow']);
  });
});
