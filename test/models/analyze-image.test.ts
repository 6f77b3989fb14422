import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { analyzeImage, type ImageAnalysis } from '../../src/models/analyze-image.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsDir } from '../../src/models/manifest.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { loadImage } from '../../src/vision/image.js';
import { PEOPLE_TRUTH, tallyPersons } from '../helpers/fixture-people.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const haveModels = existsSync(join(defaultModelsDir(), 'centernet.onnx'));
const skip = !existsSync(FIXTURES) ? ` (skipped: fixtures absent at ${FIXTURES})` : !haveModels ? ' (skipped: models not built)' : '';

const count = (r: ImageAnalysis, from: string) => r.persons.filter((p) => p.from === from).length;

/**
 * Persons as live analysis counts them (test/analyzers/person/from-faces.test.ts pins the same 15 on
 * group-1), each from the object detector, a face, or a face and its body; poses follow them (the
 * surest `models.pose.max_people`, 5).
 */
const PINNED: Record<string, { objects: number; face: number; body: number; poses: number }> = {
  'people/group-1.jpg': { objects: 7, face: 5, body: 3, poses: 3 },
  'people/group-6.jpg': { objects: 3, face: 0, body: 0, poses: 2 },
  'people/background.jpg': { objects: 0, face: 0, body: 0, poses: 0 },
};

describe.skipIf(skip !== '')(`analyzeImage on the fixture photos, real models${skip}`, () => {
  let detector: Detector;
  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
  });
  afterAll(() => detector?.close());

  it.each(Object.entries(PINNED))('%s: every person once, as live analysis finds them, nothing on the background', async (file, pinned) => {
    const r = await analyzeImage(detector, await loadImage(join(FIXTURES, file)), { file, families: ['objects', 'faces', 'pose'], embeddings: false });
    const truth = PEOPLE_TRUTH[file];
    expect(
      tallyPersons(
        r.persons.map((p) => p.box),
        truth,
      ),
    ).toEqual({ found: truth.heads.length, missed: 0, duplicates: 0, false: 0 });
    expect({ objects: count(r, 'objects'), face: count(r, 'face'), body: count(r, 'body'), poses: r.poses.length }).toEqual(pinned);
    // a body box holds its body: every seen keypoint of one of the poses
    for (const p of r.persons.filter((q) => q.from === 'body')) {
      const inside = r.poses.filter((pose) => pose.keypoints.every((k) => k.score < 0.5 || (k.x >= p.box[0] && k.x <= p.box[2] && k.y >= p.box[1] && k.y <= p.box[3])));
      expect(inside.length).toBeGreaterThanOrEqual(1);
    }
  });

  it("counts only the object detector's sure persons without faces, and none without objects", async () => {
    const img = await loadImage(join(FIXTURES, 'people/group-1.jpg'));
    const objectsOnly = await analyzeImage(detector, img, { file: 'g', families: ['objects'], embeddings: false });
    const sure = objectsOnly.objects.filter((o) => o.label === 'person' && o.score >= 0.4);
    expect(objectsOnly.persons).toEqual(sure.map((o) => ({ score: o.score, box: o.box, from: 'objects' })));
    expect(sure).toHaveLength(4);
    expect((await analyzeImage(detector, img, { file: 'g', families: ['faces'], embeddings: false })).persons).toEqual([]);
  });
});
