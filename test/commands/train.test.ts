import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main, parseTrainArgs, watchAdvice } from '../../src/commands/train.js';

describe('argus train', () => {
  let dir: string;
  let errors: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'argus-train-cmd-'));
    errors = [];
    vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks its options', () => {
    expect(parseTrainArgs(['--name', 'x'])).toBe('--data is required');
    expect(parseTrainArgs(['--data', 'd', '--name', 'Bad Name'])).toMatch(/use lowercase letters/);
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--epochs', 'many'])).toMatch(/--epochs must be a whole number/);
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--classes', 'pistol, knife'])).toMatchObject({ classes: ['pistol', 'knife'] });
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--features', 'neck'])).toMatchObject({ features: 'neck' });
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--features', 'wide'])).toBe('--features must be neck or deep, got "wide"');
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--box-loss', 'l1'])).toMatchObject({ boxLoss: 'l1' });
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--box-loss', 'giou'])).toBe('--box-loss must be iou or l1, got "giou"');
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--mosaic', '3'])).toMatchObject({ mosaic: 3 });
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--mosaic', '1'])).toBe('--mosaic must be 2 to 8 photos a side (0: off), got 1');
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--verifier', 'off'])).toMatchObject({ verifier: false });
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--verifier', 'on'])).toMatchObject({ verifier: true });
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--verifier', 'no'])).toBe('--verifier must be on or off, got "no"');
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--threads', '2'])).toMatchObject({ threads: 2 });
    expect(parseTrainArgs(['--data', 'd', '--name', 'x', '--threads', '0'])).toBe('--threads must be at least 1');
  });

  it('exits 2 with usage on a bad command line, 1 with the file and line of a corrupt label', async () => {
    expect(await main(['frobnicate'])).toBe(2);
    expect(await main(['objects', '--data', dir])).toBe(2);
    writeFileSync(join(dir, 'data.yaml'), 'names: ["bin"]\n');
    mkdirSync(join(dir, 'train/images'), { recursive: true });
    mkdirSync(join(dir, 'train/labels'), { recursive: true });
    writeFileSync(join(dir, 'train/images/a.jpg'), '');
    writeFileSync(join(dir, 'train/labels/a.txt'), '0 0.5 0.5 wide 0.2\n');
    expect(await main(['objects', '--data', dir, '--name', 'bins', '--out', join(dir, 'bins.head.json')])).toBe(1);
    expect(errors.at(-1)).toMatch(/train\/labels\/a\.txt:1: not a YOLO label line/);
  });

  it('prints its usage for objects --help, and refuses a class the shipped detector has before any work', async () => {
    expect(await main(['objects', '--help'])).toBe(0);
    writeFileSync(join(dir, 'data.yaml'), 'names: ["knife", "bin"]\n');
    for (const split of ['train', 'valid']) {
      mkdirSync(join(dir, split, 'images'), { recursive: true });
      mkdirSync(join(dir, split, 'labels'), { recursive: true });
      writeFileSync(join(dir, split, 'images/a.jpg'), '');
      writeFileSync(join(dir, split, 'labels/a.txt'), '0 0.5 0.5 0.2 0.2\n');
    }
    const out = join(dir, 'mine.head.json');
    expect(await main(['objects', '--data', dir, '--name', 'mine', '--out', out, '--work', join(dir, 'work')])).toBe(1);
    expect(errors.at(-1)).toMatch(/class "knife" is one the shipped detector already has \(pistol, knife\): rename it/);
    // in any case: "Pistol" would be a second pistol channel, and no weapon label
    writeFileSync(join(dir, 'data.yaml'), 'names: ["Pistol", "bin"]\n');
    expect(await main(['objects', '--data', dir, '--name', 'mine', '--out', out, '--work', join(dir, 'work')])).toBe(1);
    expect(errors.at(-1)).toMatch(/class "Pistol" is one the shipped detector already has/);
  });

  it('says which classes to watch, leaving out one not learnt (precision or recall 0 at its threshold)', () => {
    const advice = watchAdvice(
      {
        blade: { threshold: 0.391, precision: 0.8, recall: 0.6, boxes: 9 },
        gun: { threshold: 0.32, precision: 0, recall: 0, boxes: 2 },
      },
      '/data/models/heads/mine.head.json',
    );
    expect(advice.split('\n')).toEqual([
      '  gun: not learnt well enough to watch (precision 0.000, recall 0.000 on 2 valid boxes): label more photos of it',
      "to watch them, add to Argus' options and restart:",
      '  models: { objects: { heads: [/data/models/heads/mine.head.json] } }',
      '  analyzers: { object: { labels: [blade], thresholds: { blade: 0.391 } } }',
    ]);
    // a threshold under models.objects.min_score (0.3) could never fire: the detector reports nothing there
    const low = watchAdvice({ bin: { threshold: 0.295, precision: 0.9, recall: 1, boxes: 10 } }, 'bins.head.json').split('\n');
    expect(low[0]).toBe('  bin: its best threshold 0.295 is under models.objects.min_score (0.3), below which nothing is reported: 0.3 it is');
    expect(low.at(-1)).toBe('  analyzers: { object: { labels: [bin], thresholds: { bin: 0.3 } } }');
  });

  it('says a --data folder that does not exist is not there', async () => {
    expect(await main(['objects', '--data', join(dir, 'nonexist'), '--name', 'x', '--out', join(dir, 'x.head.json')])).toBe(1);
    expect(errors.at(-1)).toMatch(/nonexist: no such folder/);
  });
});
