import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGraph } from '../../src/convert/decoded-graph.js';
import { keepClasses } from '../../src/models/keep-classes.js';
import { defaultModelsDir } from '../../src/models/manifest.js';
import { pruneToOutputs } from '../../src/models/prune-outputs.js';
import { cpuSessionOptions } from '../../src/models/session-options.js';
import { loadImage } from '../../src/vision/image.js';
import { letterboxTensor } from '../../src/vision/resize.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const WEAPONS = join(defaultModelsDir(), 'centernet-weapons.onnx');
const PLAIN = join(defaultModelsDir(), 'centernet.onnx');
const PHOTOS = ['people/group-3.jpg', 'faces/probe/two_people.jpg', 'faces/probe/kit_with_rose.jpg', 'people/stock-group-2.jpg'];
const DETECTIONS = 'tower_0/detections';

type Row = { box: number[]; score: number; cls: number };

/** Every top-k row scored above 0.01 (the kept classes' weak peaks too), at 512×320 (a freed input). */
async function rows(session: ort.InferenceSession, photo: string): Promise<Row[]> {
  const lb = await letterboxTensor(await loadImage(join(FIXTURES, photo)), 512, 320, 0, { layout: 'nhwc' });
  const out = (await session.run({ 'tower_0/images': new ort.Tensor('float32', lb.data, [1, 320, 512, 3]) }))[DETECTIONS].data as Float32Array;
  const found: Row[] = [];
  for (let r = 0; r < out.length; r += 6) if (out[r + 4] > 0.01) found.push({ box: [...out.subarray(r, r + 4)], score: out[r + 4], cls: out[r + 5] });
  return found;
}

const session = (bytes: Uint8Array) => ort.InferenceSession.create(pruneToOutputs(bytes, [DETECTIONS]).bytes, cpuSessionOptions(1));

describe.skipIf(!existsSync(WEAPONS) || !existsSync(FIXTURES))('keepClasses on the built detector (needs models and ../shared/fixtures)', () => {
  let full: ort.InferenceSession;
  const bytes = existsSync(WEAPONS) ? readFileSync(WEAPONS) : new Uint8Array();
  beforeAll(async () => {
    full = await session(bytes);
  });
  afterAll(() => full?.release());

  it.each([
    [[0, 80, 81], 'person and both trained classes'],
    [[0, 81], 'person and knife (a trained class left out)'],
    [[0, 5, 67, 80], 'person, bus, cell phone and pistol'],
    [[0], 'person alone'],
  ])('%j (%s): every row the full model gives for those classes, to the bit, with its class index in the full list', async (kept) => {
    const reduced = await session(keepClasses(bytes, kept));
    try {
      let compared = 0;
      for (const photo of PHOTOS) {
        const [before, after] = [await rows(full, photo), await rows(reduced, photo)];
        expect(after.every((r) => kept.includes(r.cls))).toBe(true);
        for (const r of before.filter((b) => kept.includes(b.cls))) {
          expect(after).toContainEqual(r);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(20);
    } finally {
      await reduced.release();
    }
  });

  it('computes only the kept channels: the class convolution has one output channel per kept COCO class', () => {
    const { inits } = decodeGraph(keepClasses(bytes, [0, 67, 80, 81]));
    expect(inits.find((t) => t.name === 'tower_0/CenternetHead/centernet_cls_output/BiasAdd/W')?.dims?.map(Number)).toEqual([2, 128, 1, 1]);
  });

  it('refuses indices it cannot keep, naming the range', () => {
    expect(() => keepClasses(bytes, [0, 82])).toThrow(/class indices must be 0–81/);
    expect(() => keepClasses(bytes, [80, 81])).toThrow(/at least one of the detector’s own classes/);
  });

  it.skipIf(!existsSync(PLAIN))('works on plain CenterNet (no trained classes) and refuses a trained index there', async () => {
    const plain = readFileSync(PLAIN);
    expect(() => keepClasses(plain, [0, 80])).toThrow(/class indices must be 0–79/);
    const [a, b] = [await session(plain), await session(keepClasses(plain, [0, 56]))];
    try {
      const before = (await rows(a, 'people/group-3.jpg')).filter((r) => r.cls === 0 || r.cls === 56);
      expect(before.length).toBeGreaterThan(3);
      const after = await rows(b, 'people/group-3.jpg');
      for (const r of before) expect(after).toContainEqual(r);
    } finally {
      await Promise.all([a.release(), b.release()]);
    }
  });
});
