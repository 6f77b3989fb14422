import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHeadFile } from '../../src/train/head-file.js';
import { TrainInterrupted, type TrainOptions, type TrainResult, trainObjects } from '../../src/train/train-objects.js';
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
  // The first test's head, trained once for the tests that keep it (whichever runs first).
  let first: Promise<{ out: string; r: TrainResult }> | undefined;
  const trainFirst = () => {
    const out = join(dir, 'target.head.json');
    first ??= trainObjects({ ...base, out, workDir: join(dir, 'work') }).then((r) => ({ out, r }));
    return first;
  };

  it('loss falls and the new class is then found on its images', async () => {
    const { out, r } = await trainFirst();
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0] * 0.5);
    expect(r.reports.target.ap50).toBeGreaterThanOrEqual(0.8);
    const file = await readHeadFile(out);
    expect(file.classes).toEqual(['target']);
    expect(file.dim).toBe(1120); // the deep features by default
    expect(file.training?.boxLoss).toBe('l1'); // box corrections learn a smooth L1 by default
    expect(file.valid?.classes.target.ap50).toBe(r.reports.target.ap50);
    // a verifier is trained too (none and the one class), reading a crop's pooled features, profiles,
    // extras and place; the head's own figures are kept beside
    expect(file.verifier?.outputs).toBe(2);
    expect(file.verifier?.dim).toBe(2240 + 6144 + 3 + 4);
    expect(file.training?.headValid).toHaveProperty('target');
    // and its box regressor, from the candidates that overlap a labelled box, on the same values
    expect(file.verifier?.box?.dim).toBe(2240 + 6144 + 3 + 4);
    expect(file.verifier?.box?.outputs).toBe(4);
    // owner only, as the data folder it goes in (learnt from the household's photos)
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'work')).mode & 0o777).toBe(0o700);
  }, 120_000);

  it('a kept head (--head) keeps its weights and trains its verifier again, from each view of a small photo', async () => {
    const { out: kept } = await trainFirst();
    const out = join(dir, 'kept.head.json');
    const logs: string[] = [];
    const r = await trainObjects({ ...base, out, workDir: join(dir, 'work-kept'), keepHead: kept, command: 'again', onLog: (l) => logs.push(l) });
    const [before, after] = [await readHeadFile(kept), await readHeadFile(out)];
    expect([after.w1, after.b1, after.w2, after.b2]).toEqual([before.w1, before.b1, before.w2, before.b2]);
    expect(logs.some((l) => /^(features|epoch) /.test(l))).toBe(false); // no features, no epochs
    expect(after.verifier?.box?.outputs).toBe(4);
    // the head's own record stays; this run's is beside it
    expect(after.training?.epochs).toBe(before.training?.epochs);
    expect(after.training?.verifierOnly).toMatchObject({ command: 'again' });
    expect(r.reports.target.ap50).toBeGreaterThanOrEqual(0.8);
    // Each 320×240 photo is looked at three times (512, its own size, 512 mirrored: photoViews), and the
    // head finds its target in each: with the mirrored view's labelled box mirrored too, about three
    // candidates a photo are the target, besides the labelled box itself (two if the mirror's were
    // labelled against the unmirrored box).
    const line = logs.find((l) => l.startsWith('verifier: '));
    const [, targets] = line?.match(/\((\d+) target, /) ?? [];
    const photos = readdirSync(join(dir, 'data', 'train', 'images')).length;
    expect(Number(targets)).toBeGreaterThanOrEqual(3.5 * photos);
  }, 120_000);

  it('photos in flight (--threads 2) give the verifier the same rows, so the same weights and figures, as one at a time', async () => {
    const { out: kept } = await trainFirst();
    const run = async (threads: number) => {
      const out = join(dir, `threads${threads}.head.json`);
      const r = await trainObjects({ ...base, out, workDir: join(dir, `work-threads${threads}`), keepHead: kept, threads });
      return { file: await readHeadFile(out), r };
    };
    const [one, two] = [await run(1), await run(2)];
    expect(two.file.verifier).toEqual(one.file.verifier);
    expect(two.r.reports).toEqual(one.r.reports);
  }, 180_000);

  it("a kept head must be of the data's classes, and is for training a verifier", async () => {
    const { out: kept } = await trainFirst();
    const other = join(dir, 'other.head.json');
    writeFileSync(other, JSON.stringify({ ...JSON.parse(readFileSync(kept, 'utf8')), classes: ['other'] }));
    const out = join(dir, 'refused.head.json');
    await expect(trainObjects({ ...base, out, workDir: join(dir, 'work-refused'), keepHead: other })).rejects.toThrow(
      /was trained on other, but the data's classes are target: give --classes other/,
    );
    await expect(trainObjects({ ...base, out, workDir: join(dir, 'work-refused'), keepHead: kept, verifier: false })).rejects.toThrow(/leave --verifier on/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

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
