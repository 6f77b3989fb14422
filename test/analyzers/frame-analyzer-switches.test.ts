import { describe, expect, it } from 'vitest';
import { type AnyAnalyzer, defineAnalyzer } from '../../src/analyzers/analyzer.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { frameAnalyzerOf as modelFree } from './frame-analyzer-rig.js';
import { glowAnalyzer } from './throwaway/index.js';

const white = (camera: string) => ({ camera, width: 4, height: 4, seq: 0, time: 0, data: Buffer.alloc(48, 255) });
const motion = { motion: true, boxes: [], changed: 1 };
/** The glow, made essential under another name. */
const alarm = defineAnalyzer({ ...glowAnalyzer, name: 'alarm', essential: true, create: (deps) => glowAnalyzer.create(deps) }) as AnyAnalyzer;

describe('FrameAnalyzer with analyzers switched off from the web UI', () => {
  it('skips a switched-off analyzer on that camera only, and counts the frame idle', async () => {
    const off = new Set(['door/glow']);
    const idle: string[] = [];
    const analyzer = modelFree([glowAnalyzer as AnyAnalyzer], { switchedOff: (camera, name) => off.has(`${camera}/${name}`), onIdle: (camera) => idle.push(camera) });
    expect(await analyzer.analyze(white('door'), motion)).toEqual([]);
    expect(idle).toEqual(['door']);
    expect((await analyzer.analyze(white('yard'), motion)).map((d) => d.kind)).toEqual(['glow']);
    off.delete('door/glow');
    expect((await analyzer.analyze(white('door'), motion)).map((d) => d.kind)).toEqual(['glow']);
  });
});

describe('FrameAnalyzer.analyzeEssentials (a scheduler that is behind)', () => {
  it('runs the essential analyzers only; the full analysis runs them all', async () => {
    const analyzer = modelFree([glowAnalyzer as AnyAnalyzer, alarm]);
    expect((await analyzer.analyzeEssentials(white('door'), motion))?.map((d) => d.kind)).toEqual(['glow']);
    expect(await analyzer.analyze(white('door'), motion)).toHaveLength(2);
  });

  it('answers null where no essential analyzer is active: nothing ran', async () => {
    const off = new Set(['door/alarm']);
    const analyzer = modelFree([glowAnalyzer as AnyAnalyzer, alarm], { switchedOff: (camera, name) => off.has(`${camera}/${name}`) });
    expect(await analyzer.analyzeEssentials(white('door'), motion)).toBeNull();
    expect(await analyzer.analyzeEssentials(white('yard'), motion)).toHaveLength(1);
    expect(await modelFree([glowAnalyzer as AnyAnalyzer]).analyzeEssentials(white('door'), motion)).toBeNull();
  });

  it('weapons and watched objects are the essential analyzers of the list', () => {
    expect(ANALYZERS.filter((a) => a.essential).map((a) => a.name)).toEqual(['weapon', 'object']);
  });
});
