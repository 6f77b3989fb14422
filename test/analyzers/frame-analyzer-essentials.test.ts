import { describe, expect, it } from 'vitest';
import { defineAnalyzer, type AnalyzerModels } from '../../src/analyzers/analyzer.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { silentLogger } from '../../src/log.js';
import { glowAnalyzer } from './throwaway/index.js';

const noModels = { has: () => false } as unknown as AnalyzerModels;
const white = (camera: string) => ({ camera, width: 4, height: 4, seq: 0, time: 0, data: Buffer.alloc(48, 255) });
const motion = { motion: true, boxes: [], changed: 1 };
/** The glow, made essential under another name. */
const alarm = defineAnalyzer({ ...glowAnalyzer, name: 'alarm', essential: true, create: (deps) => glowAnalyzer.create(deps) });

function analyzerOf(list: (typeof glowAnalyzer)[], off = new Set<string>()) {
  return new FrameAnalyzer({
    analyzers: list,
    models: noModels,
    matchFace: () => null,
    references: () => [],
    config: {} as never,
    cameras: {},
    now: () => 0,
    logger: silentLogger(),
    switchedOff: (camera, name) => off.has(`${camera}/${name}`),
  });
}

describe('FrameAnalyzer.analyzeEssentials (a scheduler that is behind)', () => {
  it('runs the essential analyzers only; the full analysis runs them all', async () => {
    const analyzer = analyzerOf([glowAnalyzer, alarm as typeof glowAnalyzer]);
    expect((await analyzer.analyzeEssentials(white('door'), motion))?.length).toBe(1);
    expect(await analyzer.analyze(white('door'), motion)).toHaveLength(2);
  });

  it('answers null where no essential analyzer is active: nothing ran', async () => {
    const off = new Set(['door/alarm']);
    const analyzer = analyzerOf([glowAnalyzer, alarm as typeof glowAnalyzer], off);
    expect(await analyzer.analyzeEssentials(white('door'), motion)).toBeNull();
    expect(await analyzer.analyzeEssentials(white('yard'), motion)).toHaveLength(1);
    expect(await analyzerOf([glowAnalyzer]).analyzeEssentials(white('door'), motion)).toBeNull();
  });

  it('weapons and watched objects are the essential analyzers of the list', () => {
    expect(ANALYZERS.filter((a) => a.essential).map((a) => a.name)).toEqual(['weapon', 'object']);
  });
});
