import { describe, expect, it } from 'vitest';
import { type AnalyzerModels, type AnyAnalyzer, defineAnalyzer } from '../../src/analyzers/analyzer.js';
import type { Box } from '../../src/vision/iou.js';
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

/** A frame the glow does not see (mean brightness 0). */
const black = (camera: string) => ({ ...white(camera), data: Buffer.alloc(48) });

/** Counts object detections; `seen` reads the objects and answers with a detection of its own kind. */
function objectRig() {
  let runs = 0;
  const models = {
    has: (f: string) => f === 'objects',
    detectObjects: async () => {
      runs++;
      return [{ label: 'knife', score: 0.9, box: [0, 0, 1, 1] }];
    },
  } as unknown as AnalyzerModels;
  const seen = (name: string, essential: boolean) =>
    defineAnalyzer({
      ...glowAnalyzer,
      name,
      essential,
      needs: ['objects'],
      kinds: [{ ...glowAnalyzer.kinds[0], kind: name }],
      create: () => ({
        analyze: async ({ objects, earlier }) => ((await objects()).length > 0 ? [{ kind: name, label: `${earlier.length}`, score: 1, box: [0, 0, 1, 1] as Box }] : []),
      }),
    }) as AnyAnalyzer;
  return { models, seen, runs: () => runs };
}

describe('FrameAnalyzer.analyzeEssentials (a scheduler that is behind)', () => {
  it('runs the essential analyzers only; the full analysis runs them all', async () => {
    const analyzer = modelFree([glowAnalyzer as AnyAnalyzer, alarm]);
    expect(await analyzer.analyzeEssentials(black('door'), motion, true)).toEqual({ detections: [], whole: false });
    expect(await analyzer.analyze(white('door'), motion)).toHaveLength(2);
  });

  it('answers null where no essential analyzer is active: nothing ran', async () => {
    const off = new Set(['door/alarm']);
    const analyzer = modelFree([glowAnalyzer as AnyAnalyzer, alarm], { switchedOff: (camera, name) => off.has(`${camera}/${name}`) });
    expect(await analyzer.analyzeEssentials(white('door'), motion, true)).toBeNull();
    expect((await analyzer.analyzeEssentials(white('yard'), motion, false))?.detections).toHaveLength(1);
    expect(await modelFree([glowAnalyzer as AnyAnalyzer]).analyzeEssentials(white('door'), motion, true)).toBeNull();
  });

  it('when they found something, the others see the frame too: whole, the objects detected once', async () => {
    const rig = objectRig();
    const analyzer = modelFree([rig.seen('who', false), rig.seen('armed', true), rig.seen('stance', false)], {
      models: rig.models,
      config: { regions: { enabled: false } } as never,
    });
    const light = await analyzer.analyzeEssentials(white('door'), motion, false);
    expect(light).toEqual({ detections: [expect.objectContaining({ kind: 'armed' })], whole: false });
    expect(rig.runs()).toBe(1);
    const whole = await analyzer.analyzeEssentials(white('door'), motion, true);
    expect(whole?.whole).toBe(true);
    // the essential analyzer once; the others after it, in list order, each given what came before
    expect(whole?.detections.map((d) => `${d.kind} ${d.label}`)).toEqual(['armed 0', 'who 1', 'stance 2']);
    expect(rig.runs()).toBe(2);
  });

  it('weapons and watched objects are the essential analyzers of the list', () => {
    expect(ANALYZERS.filter((a) => a.essential).map((a) => a.name)).toEqual(['weapon', 'object']);
  });
});
