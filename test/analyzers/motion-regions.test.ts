import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { detectInRegions, motionRegions } from '../../src/analyzers/motion-regions.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { iou, type Box } from '../../src/vision/iou.js';
import type { RgbImage } from '../../src/vision/image.js';

const opts = analyzersSchema.parse({}).regions; // 512 px regions, from 1.5 × 512 = 768 px frames up

describe('motionRegions', () => {
  it('leaves frames near the model size whole', () => {
    expect(motionRegions([[10, 10, 50, 50]], 640, 360, opts)).toBeNull();
    expect(motionRegions([[10, 10, 50, 50]], 1920, 1080, { ...opts, enabled: false })).toBeNull();
  });

  it('centres a model-sized square on the motion, slid inside the frame at the edges', () => {
    expect(motionRegions([[900, 400, 1000, 600]], 1920, 1080, opts)).toEqual([[694, 244, 1206, 756]]);
    expect(motionRegions([[100, 100, 200, 300]], 1920, 1080, opts)).toEqual([[0, 0, 512, 512]]);
    expect(motionRegions([[1850, 1000, 1900, 1070]], 1920, 1080, opts)).toEqual([[1408, 568, 1920, 1080]]);
  });

  it('grows the square for large motion and caps it at the frame', () => {
    expect(motionRegions([[500, 100, 1300, 400]], 3840, 2160, opts)).toEqual([[420, 0, 1380, 960]]);
    const [[x1, y1, x2, y2]] = motionRegions([[100, 0, 1100, 1079]], 2560, 1080, opts)!;
    expect([y1, y2]).toEqual([0, 1080]);
    expect(x2 - x1).toBe(1295);
  });

  it('covers motion already inside a region once, and gives up on the crop when regions would cover most of the frame', () => {
    expect(
      motionRegions(
        [
          [900, 400, 1000, 600],
          [950, 420, 980, 500],
          [100, 100, 140, 140],
        ],
        1920,
        1080,
        opts,
      ),
    ).toHaveLength(2);
    const scattered: Box[] = [
      [0, 0, 10, 10],
      [600, 0, 610, 10],
      [1200, 0, 1210, 10],
      [0, 600, 10, 610],
      [600, 600, 610, 610],
    ];
    expect(motionRegions(scattered, 1920, 1080, opts)).toBeNull(); // more than max_regions
    const corners: Box[] = [
      [0, 0, 10, 10],
      [1270, 0, 1275, 10],
      [0, 1070, 10, 1075],
      [1270, 1070, 1275, 1075],
    ];
    expect(motionRegions(corners, 1280, 1080, opts)).toBeNull(); // four 512² squares: 76 % of the frame
  });
});

const PEOPLE = '../shared/fixtures/people';

describe.skipIf(!existsSync(PEOPLE))('object detection in motion regions (needs ../shared/fixtures)', () => {
  let detector: Detector;
  /** A 2560×1440 frame: the landscape photo, with ai-body.jpg pasted at (left, top), `size` px tall. */
  const frameWithPerson = async (left: number, top: number, size: number): Promise<RgbImage> => {
    const person = await sharp(`${PEOPLE}/ai-body.jpg`).resize(size, size).toBuffer();
    const { data, info } = await sharp(`${PEOPLE}/background.jpg`)
      .resize(2560, 1440, { fit: 'fill' })
      .composite([{ input: person, left, top }])
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  };
  const person = (found: { label: string; box: Box; score: number }[]) => found.filter((d) => d.label === 'person').sort((a, b) => b.score - a.score)[0];

  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects'] });
  });
  afterAll(() => detector?.close());

  it('maps boxes found in a crop back to frame pixels', async () => {
    // ai-body.jpg's person spans about x 215–946, y 9–1190 of 1200: at 300 px, x 54–237, y 2–298
    const frame = await frameWithPerson(1900, 1000, 300);
    const motion: Box = [1950, 1000, 2140, 1300];
    const regions = motionRegions([motion], frame.width, frame.height, opts)!;
    expect(regions).toEqual([[1789, 894, 2301, 1406]]);
    const found = person(await detectInRegions(frame, regions, (crop) => detector.detectObjects(crop)));
    expect(found).toBeDefined();
    const expected: Box = [1900 + 54, 1000 + 2, 1900 + 237, 1000 + 298];
    expect(iou(found.box, expected)).toBeGreaterThan(0.8);
    for (const v of found.box) expect(Number.isFinite(v)).toBe(true);
  });

  it('keeps a far person that shrinking the whole frame loses', async () => {
    const frame = await frameWithPerson(400, 600, 110);
    const whole = person(await detector.detectObjects(frame));
    const regions = motionRegions([[420, 600, 490, 710]], frame.width, frame.height, opts)!;
    const cropped = person(await detectInRegions(frame, regions, (crop) => detector.detectObjects(crop)));
    expect(cropped).toBeDefined();
    expect(iou(cropped.box, [400 + 20, 600, 400 + 87, 710])).toBeGreaterThan(0.6);
    expect(whole === undefined || whole.score < cropped.score).toBe(true);
  });
});
