import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPoses } from '../../../src/analyzers/pose/find-poses.js';
import { isPresent } from '../../../src/analyzers/pose/pose.js';
import { poseSchema } from '../../../src/analyzers/pose/config.js';
import { bodyBelow, personsWithFaces } from '../../../src/analyzers/person/from-faces.js';
import { silentLogger } from '../../../src/log.js';
import type { FaceDetection, ObjectDetection } from '../../../src/models/detection.js';
import { Detector } from '../../../src/models/detector.js';
import { defaultModelsDir } from '../../../src/models/manifest.js';
import { defaultModelsConfig } from '../../../src/models/model-config.js';
import { loadImage } from '../../../src/vision/image.js';
import { iou, type Box } from '../../../src/vision/iou.js';
import { PEOPLE_TRUTH, tallyFaces, tallyPersons } from '../../helpers/fixture-people.js';
import { FIXTURES } from '../../registry/probe-faces.js';

const face = (box: Box, score = 0.9): FaceDetection => ({ box, score, landmarks: [] });
const person = (box: Box, score: number): ObjectDetection => ({ label: 'person', box, score });
const opts = { minScore: 0.4, width: 1000, height: 800 };

describe('personsWithFaces', () => {
  it('gives a face without a person box a body below it, and leaves a face in its box alone', () => {
    const persons = personsWithFaces([person([100, 100, 300, 700], 0.8)], [face([170, 110, 230, 170]), face([600, 200, 640, 240])], opts);
    expect(persons).toHaveLength(2);
    expect(persons.find((p) => p.from === 'face')?.box).toEqual(bodyBelow([600, 200, 640, 240], 1000, 800));
  });

  it('counts an unsure person box once a face is its head, and drops it without one', () => {
    expect(personsWithFaces([person([100, 100, 300, 700], 0.3)], [face([170, 110, 230, 170])], opts).map((p) => p.from)).toEqual(['objects']);
    expect(personsWithFaces([person([100, 100, 300, 700], 0.3)], [], opts)).toEqual([]);
  });

  it('gives one box one face: two heads in one box make a second person', () => {
    const persons = personsWithFaces([person([100, 100, 400, 700], 0.8)], [face([220, 110, 280, 170]), face([330, 130, 390, 190])], opts);
    expect(persons).toHaveLength(2);
  });

  it('does not take a face low in a box as its head', () => {
    const persons = personsWithFaces([person([100, 100, 300, 700], 0.8)], [face([170, 500, 230, 560])], opts);
    expect(persons.map((p) => p.from).sort()).toEqual(['face', 'objects']);
  });

  it('takes a face as the head of a head-and-shoulders box, where it fills the box', () => {
    expect(personsWithFaces([person([10, 170, 90, 240], 0.5)], [face([45, 192, 74, 222])], opts).map((p) => p.from)).toEqual(['objects']);
  });

  it('takes a sure box no wider than the face above it for a part of that body, not a person', () => {
    // two_people.jpg at the frame's aspect: a 0.71 box on Biden's shirt front under his face
    const persons = personsWithFaces([person([821, 244, 901, 441], 0.71)], [face([786, 95, 940, 248])], { ...opts, width: 1200 });
    expect(persons.map((p) => p.from)).toEqual(['face']);
    // a wider box under the face is its body (the face is its head); one beside it is someone else
    expect(personsWithFaces([person([760, 240, 960, 700], 0.71)], [face([786, 95, 940, 248])], { ...opts, width: 1200 }).map((p) => p.from)).toEqual(['objects']);
    expect(
      personsWithFaces([person([960, 244, 1040, 441], 0.71)], [face([786, 95, 940, 248])], { ...opts, width: 1200 })
        .map((p) => p.from)
        .sort(),
    ).toEqual(['face', 'objects']);
  });

  it('keeps the extrapolated body inside the frame', () => {
    const [x1, y1, x2, y2] = bodyBelow([960, 700, 1000, 740], 1000, 800);
    expect([x1 >= 0, y1 >= 0, x2 <= 1000, y2 <= 800]).toEqual([true, true, true, true]);
  });
});

const haveModels = existsSync(join(defaultModelsDir(), 'centernet.onnx'));
const skip = !existsSync(FIXTURES) ? ` (skipped: fixtures absent at ${FIXTURES})` : !haveModels ? ' (skipped: models not built)' : '';

/**
 * Faces and persons found, of those counted by eye (test/helpers/fixture-people.ts); poses: bodies
 * with enough keypoints in the person boxes (before persons came from faces: group-1 4, group-6 2).
 */
const PINNED: Record<string, { faces: number; persons: number; poses: number }> = {
  'people/group-1.jpg': { faces: 14, persons: 15, poses: 14 },
  'people/group-3.jpg': { faces: 4, persons: 4, poses: 4 },
  'people/group-6.jpg': { faces: 3, persons: 3, poses: 3 },
  'people/stock-group-2.jpg': { faces: 4, persons: 4, poses: 4 },
  'people/ai-body.jpg': { faces: 1, persons: 1, poses: 1 },
  'people/background.jpg': { faces: 0, persons: 0, poses: 0 },
  'faces/probe/kit_with_rose.jpg': { faces: 2, persons: 2, poses: 2 },
  'faces/probe/two_people.jpg': { faces: 2, persons: 2, poses: 2 },
  'faces/probe/obama_and_biden.jpg': { faces: 3, persons: 3, poses: 2 },
};

describe.skipIf(skip !== '')(`crowds on the fixture photos, real models${skip}`, () => {
  let detector: Detector;
  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
  });
  afterAll(() => detector?.close());

  it.each(Object.entries(PINNED))('%s: every face once, every person once, nothing on the background', async (file, pinned) => {
    const img = await loadImage(join(FIXTURES, file));
    const truth = PEOPLE_TRUTH[file];
    const objects = await detector.detectObjects(img);
    const sure = objects.filter((o) => o.label === 'person' && o.score >= 0.4).map((o) => o.box);
    const faces = await detector.detectFaces(img, { people: sure });
    const persons = personsWithFaces(objects, faces, { minScore: 0.4, width: img.width, height: img.height });
    const poses = (
      await findPoses(
        detector,
        img,
        persons.map((p) => p.box),
      )
    ).filter((p) => isPresent(p, poseSchema.parse({})));
    expect(
      tallyFaces(
        faces.map((f) => f.box),
        truth,
      ),
    ).toEqual({ found: pinned.faces, missed: truth.faces.length - pinned.faces, duplicates: 0, false: 0 });
    expect(
      tallyPersons(
        persons.map((p) => p.box),
        truth,
      ),
    ).toEqual({ found: pinned.persons, missed: truth.heads.length - pinned.persons, duplicates: 0, false: 0 });
    expect(poses).toHaveLength(pinned.poses);
    // no two face boxes on one face, whatever the truth says
    for (const [i, a] of faces.entries()) for (const b of faces.slice(i + 1)) expect(iou(a.box, b.box)).toBeLessThan(0.3);
  });
});
