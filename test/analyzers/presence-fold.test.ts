import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzersSchema, cameraAnalyzersSchema } from '../../src/analyzers/config.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import type { Keypoint } from '../../src/models/detection.js';
import type { Frame } from '../../src/sources/frame.js';
import { loadImage } from '../../src/vision/image.js';
import { PEOPLE_TRUTH, tallyPersons } from '../helpers/fixture-people.js';

const PHOTO = '../shared/fixtures/people/stock-group-2.jpg';
const CROWD = '../shared/fixtures/people/group-1.jpg';
/**
 * Persons faces gave on group-1.jpg whose body the pose analyzer finds (docs/analyzers.md, *Crowds*).
 * At the frame's aspect (`models.objects.input: camera`) the detector boxes one more of the 15
 * people itself than letterboxed square, so one fewer comes from a face (5 square).
 */
const BODIES_ON_GROUP_1 = 4;

describe.skipIf(!existsSync(PHOTO))('pose presence beside person detection (needs ../shared/fixtures)', () => {
  let detector: Detector;
  let frame: Frame;
  const wholeFrame = { motion: true, boxes: [] as Array<[number, number, number, number]>, changed: 1 };

  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
    const img = await loadImage(PHOTO);
    frame = { camera: 'cam', width: img.width, height: img.height, data: Buffer.from(img.data), time: Date.now(), seq: 1 };
    wholeFrame.boxes = [[0, 0, img.width, img.height]];
  });
  afterAll(() => detector?.close());

  function analyzer(camera: object) {
    return new FrameAnalyzer({
      analyzers: ANALYZERS,
      models: detector,
      config: analyzersSchema.parse({}),
      cameras: { cam: cameraAnalyzersSchema.parse(camera) },
      matchFace: () => null,
      references: () => [],
      now: () => Date.now(),
      logger: silentLogger(),
    });
  }

  it('puts each skeleton on its person instead of raising a second, "pose" event for the same body', async () => {
    const found = await analyzer({ faces: { enabled: false } }).analyze(frame, wholeFrame);
    const persons = found.filter((d) => d.kind === 'person');
    expect(persons.length).toBeGreaterThanOrEqual(3);
    expect(found.filter((d) => d.kind === 'pose' && d.label === 'person')).toEqual([]);
    const withSkeleton = persons.filter((p) => Array.isArray(p.attributes?.keypoints));
    expect(withSkeleton.length).toBeGreaterThanOrEqual(3);
  });

  it('gives a person a face gave the box of the body its pose found, and the skeleton with it (group-1.jpg)', async () => {
    const img = await loadImage(CROWD);
    const crowd: Frame = { camera: 'cam', width: img.width, height: img.height, data: Buffer.from(img.data), time: Date.now(), seq: 2 };
    const motion = { motion: true, boxes: [[0, 0, img.width, img.height]] as Array<[number, number, number, number]>, changed: 1 };
    const persons = async (camera: object) => (await analyzer(camera).analyze(crowd, motion)).filter((d) => d.kind === 'person');
    const [withPose, without] = [await persons({}), await persons({ pose: { enabled: false } })];
    for (const found of [withPose, without])
      expect(
        tallyPersons(
          found.map((p) => p.box),
          PEOPLE_TRUTH['people/group-1.jpg'],
        ),
      ).toEqual({ found: 15, missed: 0, duplicates: 0, false: 0 });
    // extrapolated boxes are 3 face widths by 7.5 face heights; pose looks at the surest 5 persons (analyzers.pose.max_people)
    const extrapolated = new Set(without.map((p) => p.box.join()));
    const bodies = withPose.filter((p) => !extrapolated.has(p.box.join()));
    expect(bodies).toHaveLength(BODIES_ON_GROUP_1);
    for (const p of bodies) {
      const seen = ((p.attributes?.keypoints ?? []) as Keypoint[]).filter((k) => k.score >= 0.5);
      expect(seen.length).toBeGreaterThanOrEqual(8);
      // every seen keypoint in the frame lies in the box (those the model places beyond the frame's edge are clipped off)
      for (const k of seen.filter((q) => q.x >= 0 && q.x <= img.width && q.y >= 0 && q.y <= img.height)) {
        expect(k.x >= p.box[0] && k.x <= p.box[2] && k.y >= p.box[1] && k.y <= p.box[3], `${k.name} at ${k.x}, ${k.y}`).toBe(true);
      }
    }
  });

  it('keeps pose presence as its own detection when the person analyzer is off', async () => {
    const found = await analyzer({ faces: { enabled: false }, person: { enabled: false } }).analyze(frame, wholeFrame);
    expect(found.filter((d) => d.kind === 'person')).toEqual([]);
    expect(found.filter((d) => d.kind === 'pose').length).toBeGreaterThanOrEqual(3);
  });
});
