import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsDir } from '../../src/models/manifest.js';
import { defaultModelsConfig, modelsSchema } from '../../src/models/model-config.js';
import { type Box, iou } from '../../src/vision/iou.js';
import { loadImage, rgbImage } from '../../src/vision/image.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const ready = existsSync(FIXTURES) && existsSync(join(defaultModelsDir(), 'centernet-weapons.onnx'));

describe.skipIf(!ready)('Detector with liveLabels (needs models and ../shared/fixtures)', () => {
  let detector: Detector;
  const runs: string[] = [];
  beforeAll(async () => {
    detector = await Detector.create({
      config: defaultModelsConfig(),
      logger: silentLogger(),
      families: ['objects'],
      liveLabels: ['person', 'pistol', 'knife'],
      timings: { record: (model) => runs.push(model) },
    });
  });
  afterAll(() => detector?.close());

  it('live frames get those classes, scored as with every class; uploads still get every class', async () => {
    // Obama and Biden in ties: CenterNet finds two ties at 0.48–0.54 beside the people.
    const img = await loadImage(join(FIXTURES, 'faces/probe/obama_and_biden.jpg'));
    const live = await detector.detectObjects(img, 'live');
    const all = await detector.detectObjects(img, 'all');
    expect(all.filter((o) => o.label === 'tie').length).toBeGreaterThan(0);
    expect(live.map((o) => o.label)).not.toContain('tie');
    expect(live.filter((o) => o.label === 'person').length).toBeGreaterThanOrEqual(2);
    // the whole graph on the same camera frame (a frame goes in at its own aspect, a photo square)
    const whole = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects'] });
    try {
      expect(live).toEqual((await whole.detectObjects(img, 'live')).filter((o) => ['person', 'pistol', 'knife'].includes(o.label)));
    } finally {
      await whole.close();
    }
  });

  it('live runs use the reduced session under the model’s name, uploads the full one (<model>/all)', async () => {
    runs.length = 0;
    const img = await loadImage(join(FIXTURES, 'people/group-3.jpg'));
    await detector.detectObjects(img, 'live');
    await detector.detectObjects(img);
    expect(detectorRuns(runs)).toEqual(['centernet-weapons', 'centernet-weapons/all']);
  });

  it('a small photo is also looked at at its own size, mirrored and at two more scales (five detector runs), a larger one and a camera frame once', async () => {
    const small = await loadImage(join(FIXTURES, 'faces/probe/obama_small.jpg')); // 320×240
    const large = await loadImage(join(FIXTURES, 'faces/probe/obama-240p.jpg')); // 427×240
    for (const [img, scope, expected] of [
      [small, 'all', Array(5).fill('centernet-weapons/all')],
      [small, 'live', ['centernet-weapons']],
      [large, 'all', ['centernet-weapons/all']],
    ] as const) {
      runs.length = 0;
      await detector.detectObjects(img, scope);
      expect(detectorRuns(runs), `${img.width}×${img.height} ${scope}`).toEqual(expected);
    }
  });

  it('a small photo’s five views (two mirrored) give the persons its first view gives, their boxes fused in place', async () => {
    // 320×240: a person in the top-left quarter, grey elsewhere (a mirrored box left unmirrored would land on nothing)
    const { data } = await sharp(join(FIXTURES, 'faces/probe/obama_small.jpg'))
      .resize(160, 120)
      .extend({ right: 160, bottom: 120, background: { r: 128, g: 128, b: 128 } })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const img = rgbImage(320, 240, new Uint8Array(data));
    const persons = (found: { label: string; score: number; box: number[] }[]) => found.filter((o) => o.label === 'person' && o.score >= 0.4);
    const square = await Detector.create({ config: modelsSchema.parse({ objects: { input: 'square' } }), logger: silentLogger(), families: ['objects'] });
    try {
      const [one, three] = [persons(await square.detectObjects(img, 'live')), persons(await detector.detectObjects(img, 'all'))];
      expect(one.length).toBeGreaterThan(0);
      expect(three).toHaveLength(one.length);
      for (const p of one) expect(Math.max(...three.map((q) => iou(p.box as Box, q.box as Box)))).toBeGreaterThan(0.8);
    } finally {
      await square.close();
    }
  });

  it('a photo’s weapon candidates are verified from PHOTO_VERIFY_FLOOR, a camera frame’s from VERIFY_FLOOR', async () => {
    // Two people: the detector gives knife or pistol candidates between 0.08 and 0.25, none above
    // (three verified as a photo, none as a camera frame, with the twenty-sixth session's head).
    const img = await loadImage(join(FIXTURES, 'faces/probe/two_people.jpg'));
    runs.length = 0;
    const live = await detector.detectObjects(img, 'live');
    expect(runs).toEqual(['centernet-weapons']);
    runs.length = 0;
    const photo = await detector.detectObjects(img, 'all');
    expect(runs.filter((n) => n.includes('/verify-')).length).toBeGreaterThan(0);
    // verified, they stay under the default min score: nothing new is shown
    expect(photo.filter((o) => o.label === 'pistol' || o.label === 'knife')).toEqual([]);
    expect(live.filter((o) => o.label === 'pistol' || o.label === 'knife')).toEqual([]);
  });
});

/** The detector's own runs, without the verifier's (a photo's weapon candidates get one each). */
const detectorRuns = (runs: readonly string[]) => runs.filter((n) => !n.includes('/verify-'));

describe.skipIf(!ready)('Detector without liveLabels', () => {
  it('live and upload runs are the same session, every class', async () => {
    const runs: string[] = [];
    const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects'], timings: { record: (m) => runs.push(m) } });
    try {
      const img = await loadImage(join(FIXTURES, 'faces/probe/obama_and_biden.jpg'));
      expect((await detector.detectObjects(img, 'live')).some((o) => o.label === 'tie')).toBe(true);
      await detector.detectObjects(img);
      expect(detectorRuns(runs)).toEqual(['centernet-weapons', 'centernet-weapons']);
    } finally {
      await detector.close();
    }
  });
});
