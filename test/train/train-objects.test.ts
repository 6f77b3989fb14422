import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHeadFile } from '../../src/train/head-file.js';
import { TrainInterrupted, trainObjects, type TrainOptions } from '../../src/train/train-objects.js';
import { syntheticDataset, syntheticTraining } from './synthetic-dataset.js';

describe('trainObjects (real CenterNet features, a synthetic class)', () => {
  let dir: string;
  let base: Omit<TrainOptions, 'out' | 'workDir'>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'argus-train-'));
    await syntheticDataset(join(dir, 'data'));
    base = syntheticTraining(join(dir, 'data'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loss falls and the new class is then found on its images', async () => {
    const out = join(dir, 'target.head.json');
    const r = await trainObjects({ ...base, out, workDir: join(dir, 'work') });
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0] * 0.5);
    expect(r.reports.target.ap50).toBeGreaterThanOrEqual(0.8);
    const file = await readHeadFile(out);
    expect(file.classes).toEqual(['target']);
    expect(file.dim).toBe(1120); // the deep features by default
    expect(file.training?.boxLoss).toBe('l1'); // box corrections learn a smooth L1 by default
    expect(file.valid?.classes.target.ap50).toBe(r.reports.target.ap50);
    // a verifier is trained too (none and the one class); the head's own figures are kept beside
    expect(file.verifier?.outputs).toBe(2);
    expect(file.verifier?.dim).toBe(2240 + 3);
    expect(file.training?.headValid).toHaveProperty('target');
    // and its box regressor, from the candidates that overlap a labelled box
    expect(file.verifier?.box?.dim).toBe(2240 + 6144 + 3 + 4);
    expect(file.verifier?.box?.outputs).toBe(4);
  }, 120_000);

  it('a head on the stride-4 features alone (the first heads) still trains and merges', async () => {
    const out = join(dir, 'neck.head.json');
    const r = await trainObjects({ ...base, out, workDir: join(dir, 'work-neck'), features: 'neck', verifier: false });
    expect(r.reports.target.ap50).toBeGreaterThanOrEqual(0.5);
    const file = await readHeadFile(out);
    expect(file.dim).toBe(384);
    expect(file.verifier).toBeUndefined();
    expect(file.training?.features).toBe('neck');
  }, 120_000);

  it('an interrupted run leaves the previous model in place, and the next run resumes', async () => {
    const out = join(dir, 'again.head.json');
    writeFileSync(out, 'previous model\n');
    let steps = 0;
    const work = join(dir, 'work-again');
    // stopped in the second of 4 epochs (6 images checked, then 13 steps an epoch)
    await expect(trainObjects({ ...base, out, workDir: work, epochs: 4, shouldStop: () => ++steps > 30 })).rejects.toBeInstanceOf(TrainInterrupted);
    expect(readFileSync(out, 'utf8')).toBe('previous model\n');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    const logs: string[] = [];
    await trainObjects({ ...base, out, workDir: work, epochs: 4, onLog: (l) => logs.push(l) });
    expect(logs.join('\n')).toMatch(/resumed from .* after epoch [123]\n/);
    expect(logs.some((l) => /^epoch 1\//.test(l))).toBe(false);
    expect(existsSync(out) && readFileSync(out, 'utf8').startsWith('{')).toBe(true);
  }, 120_000);
});
