import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError, parseLabels, readYoloSplit } from '../../src/train/yolo-dataset.js';

describe('parseLabels', () => {
  it('reads boxes, turns a polygon into its bounding box, and skips blank lines', () => {
    const { boxes, converted } = parseLabels('1 0.5 0.5 0.2 0.4\n\n0 0.1 0.2 0.3 0.2 0.3 0.6\n', 'a.txt', 2);
    expect(boxes[0]).toEqual({ cls: 1, cx: 0.5, cy: 0.5, w: 0.2, h: 0.4 });
    expect(boxes[1].cls).toBe(0);
    expect([boxes[1].cx, boxes[1].cy, boxes[1].w, boxes[1].h].map((v) => Number(v.toFixed(6)))).toEqual([0.2, 0.4, 0.2, 0.4]);
    expect(converted).toBe(1);
  });

  it('names the file and line of a corrupt label', () => {
    expect(() => parseLabels('0 0.5 0.5 0.2 0.2\n0 0.5 abc 0.1 0.1\n', 'x/labels/b.txt', 2)).toThrow(/x\/labels\/b\.txt:2: not a YOLO label line/);
    expect(() => parseLabels('3 0.5 0.5 0.2 0.2', 'c.txt', 2)).toThrow(/c\.txt:1: class 3 is not one of 0–1/);
    expect(() => parseLabels('0 0.5 0.5 1.7 0.2', 'd.txt', 2)).toThrow(/d\.txt:1: box .* not inside 0–1/);
    expect(() => parseLabels('0 0.5 0.5 0.2', 'e.txt', 2)).toThrow(DatasetError);
  });
});

describe('readYoloSplit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'argus-yolo-'));
    writeFileSync(join(dir, 'data.yaml'), 'names: ["knife", "pistol"]\n');
    mkdirSync(join(dir, 'train/images'), { recursive: true });
    mkdirSync(join(dir, 'train/labels'), { recursive: true });
    writeFileSync(join(dir, 'train/images/a.jpg'), '');
    writeFileSync(join(dir, 'train/labels/a.txt'), '0 0.5 0.5 0.2 0.2\n1 0.3 0.3 0.1 0.1\n');
    writeFileSync(join(dir, 'train/images/empty.jpg'), '');
    writeFileSync(join(dir, 'train/labels/empty.txt'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('selects and reorders classes by name; an empty label file is an image with nothing to find', async () => {
    const split = await readYoloSplit(dir, 'train', ['pistol']);
    expect(split.classes).toEqual(['pistol']);
    expect(split.images.map((i) => i.boxes.map((b) => b.cls))).toEqual([[0], []]);
    expect(split.dropped).toBe(1);
  });

  it('an image without a label file is a photo with nothing to find (as Ultralytics reads it), and counted', async () => {
    writeFileSync(join(dir, 'train/images/lonely.jpg'), '');
    const split = await readYoloSplit(dir, 'train');
    expect(split.images.map((i) => [i.image.split('/').pop(), i.boxes.length])).toEqual([
      ['a.jpg', 2],
      ['empty.jpg', 0],
      ['lonely.jpg', 0],
    ]);
    expect(split.unlabelled).toBe(1);
  });

  it('no label file for any image, or an unknown class, is a clear error', async () => {
    rmSync(join(dir, 'train/labels'), { recursive: true });
    await expect(readYoloSplit(dir, 'train')).rejects.toThrow(
      /train\/labels has no label file for any of the 2 images \(each image's is labels\/<its name>\.txt: images\/a\.jpg → labels\/a\.txt\)/,
    );
    await expect(readYoloSplit(dir, 'train', ['rifle'])).rejects.toThrow(/no class rifle \(the dataset has knife, pistol\)/);
    await expect(readYoloSplit(dir, 'valid')).rejects.toThrow(/no valid or val\/images folder/);
  });

  it('names every bad label line at once, the first ten and how many more', async () => {
    writeFileSync(join(dir, 'train/labels/a.txt'), '0 0.5 0.5 0.2 0.2\n7 0.3 0.3 0.1 0.1\n0 0.5 0.5 1.7 0.2\n');
    for (let i = 0; i < 12; i++) {
      writeFileSync(join(dir, `train/images/b${i}.jpg`), '');
      writeFileSync(join(dir, `train/labels/b${i}.txt`), 'knife 0.5 0.5 0.2 0.2\n');
    }
    const err = await readYoloSplit(dir, 'train').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe('14 problems in the labels:');
    expect(lines[1]).toMatch(/train\/labels\/a\.txt:2: class 7 is not one of 0–1$/);
    expect(lines[2]).toMatch(/train\/labels\/a\.txt:3: box .* not inside 0–1/);
    expect(lines[3]).toMatch(/train\/labels\/b0\.txt:1: not a YOLO label line/);
    expect(lines).toHaveLength(12);
    expect(lines[11]).toBe('  … and 4 more');
  });

  it('refuses a class named twice (in any case) and an nc that disagrees with the names, before any work', async () => {
    writeFileSync(join(dir, 'data.yaml'), 'names: ["bin", "Bin"]\n');
    await expect(readYoloSplit(dir, 'train')).rejects.toThrow(/the class "Bin" is named twice \(as "bin" too\); each class needs a name of its own/);
    writeFileSync(join(dir, 'data.yaml'), 'nc: 3\nnames: ["knife", "pistol"]\n');
    await expect(readYoloSplit(dir, 'train')).rejects.toThrow(/nc is 3 but "names" lists 2 classes/);
    writeFileSync(join(dir, 'data.yaml'), 'nc: 2\nnames: {0: knife, 1: pistol}\n');
    expect((await readYoloSplit(dir, 'train')).classes).toEqual(['knife', 'pistol']);
  });
});
