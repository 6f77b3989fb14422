import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzersSchema, cameraAnalyzersSchema } from '../../src/analyzers/config.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import type { Frame } from '../../src/sources/frame.js';
import { loadImage } from '../../src/vision/image.js';

const PHOTO = '../shared/fixtures/people/stock-group-2.jpg';

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

  it('keeps pose presence as its own detection when the person analyzer is off', async () => {
    const found = await analyzer({ faces: { enabled: false }, person: { enabled: false } }).analyze(frame, wholeFrame);
    expect(found.filter((d) => d.kind === 'person')).toEqual([]);
    expect(found.filter((d) => d.kind === 'pose').length).toBeGreaterThanOrEqual(3);
  });
});
