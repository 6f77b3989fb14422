import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { cosineSimilarity, FACERES_MATCH_THRESHOLD } from '../../src/models/face-embedder.js';
import { defaultModelsDir } from '../../src/models/manifest.js';
import { defaultModelsConfig, modelsSchema } from '../../src/models/model-config.js';
import { loadImage } from '../../src/vision/image.js';
import { iou } from '../../src/vision/iou.js';
import { PEOPLE_TRUTH, tallyFaces } from '../helpers/fixture-people.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const haveFixtures = existsSync(FIXTURES);
const haveModels = existsSync(join(defaultModelsDir(), 'manifest.json')) && existsSync(join(defaultModelsDir(), 'centernet.onnx'));
const skipReason = !haveFixtures ? ` (skipped: fixtures absent at ${FIXTURES})` : !haveModels ? ' (skipped: models not built; run "argus models build")' : '';

/** How many people each photo shows (../shared/fixtures/README.md), and so how many faces. */
const PEOPLE: [file: string, people: number][] = [
  ['faces/probe/alex_lacamoire1.jpg', 1],
  ['faces/probe/kit_harington1.jpg', 1],
  ['faces/probe/kit_with_rose.jpg', 2],
  ['faces/probe/obama1.jpg', 1],
  ['faces/probe/obama3.jpg', 1],
  ['faces/probe/obama-240p.jpg', 1],
  ['faces/probe/obama_small.jpg', 1],
  ['faces/probe/obama_partial_face.jpg', 1],
  ['faces/probe/obama_and_biden.jpg', 3], // the README names two; a child's face shows at the right edge
  ['faces/probe/two_people.jpg', 2],
  ['people/group-3.jpg', 4],
  ['people/group-6.jpg', 3],
  ['people/ai-body.jpg', 1],
  ['people/stock-group-2.jpg', 4],
];

describe.skipIf(!haveFixtures || !haveModels)(`Detector on the fixture photos${skipReason}`, () => {
  let detector: Detector;
  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
  });
  afterAll(() => detector?.close());

  const load = (f: string) => loadImage(join(FIXTURES, f));

  it.each(PEOPLE)('finds every person and every face in %s (%i)', async (file, people) => {
    const img = await load(file);
    const persons = (await detector.detectObjects(img)).filter((o) => o.label === 'person');
    const faces = await detector.detectFaces(img);
    expect(persons.length).toBeGreaterThanOrEqual(people);
    expect(faces).toHaveLength(people);
    // tiles only where the whole frame left a person faceless or saw a face barely: the same faces
    expect(await detector.detectFaces(img, { people: persons.map((p) => p.box) })).toHaveLength(people);
    for (const f of faces) {
      expect(f.box[0]).toBeGreaterThanOrEqual(0);
      expect(f.box[2]).toBeLessThanOrEqual(img.width);
      // each face lies inside some person box
      const [cx, cy] = [(f.box[0] + f.box[2]) / 2, (f.box[1] + f.box[3]) / 2];
      expect(persons.some((p) => cx >= p.box[0] && cx <= p.box[2] && cy >= p.box[1] && cy <= p.box[3])).toBe(true);
    }
  });

  it('finds every face of the large group photo once (tiles: 14 where the whole frame alone finds 8)', async () => {
    const img = await load('people/group-1.jpg');
    expect(await detector.detectFaces(img, { tiles: false })).toHaveLength(8);
    const faces = await detector.detectFaces(img);
    expect(
      tallyFaces(
        faces.map((f) => f.box),
        PEOPLE_TRUTH['people/group-1.jpg'],
      ),
    ).toEqual({ found: 14, missed: 0, duplicates: 0, false: 0 });
    const people = (await detector.detectObjects(img)).filter((o) => o.label === 'person').map((o) => o.box);
    expect(await detector.detectFaces(img, { people })).toHaveLength(faces.length);
  });

  it('takes the unsure faces a previous frame confirmed without their second look: the same faces, fewer runs', async () => {
    let runs = 0;
    const counting = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['faces'], embeddings: false, timings: { record: () => runs++ } });
    try {
      const img = await load('people/group-1.jpg');
      const looked = await counting.detectFaces(img);
      const lookedRuns = runs;
      runs = 0;
      const remembered = await counting.detectFaces(img, { confirmed: looked.map((f) => f.box) });
      expect(runs).toBeLessThan(lookedRuns);
      // the same faces; a remembered one keeps the box its pass gave (the second look would have re-centred it)
      expect(remembered).toHaveLength(looked.length);
      for (const f of looked) expect(remembered.some((r) => iou(r.box, f.box) >= 0.5)).toBe(true);
      // a face confirmed elsewhere spares nothing
      runs = 0;
      await counting.detectFaces(img, { confirmed: [[0, 0, 5, 5]] });
      expect(runs).toBe(lookedRuns);
    } finally {
      await counting.close();
    }
  });

  it('finds nobody in the landscape', async () => {
    const img = await load('people/background.jpg');
    expect((await detector.detectObjects(img)).filter((o) => o.label === 'person')).toEqual([]);
    expect(await detector.detectFaces(img)).toEqual([]);
    expect(await detector.detectPoses(img)).toEqual([]);
  });

  it("puts the eyes above the nose above the mouth, the subject's right eye on the image's left", async () => {
    const [face] = await detector.detectFaces(await load('faces/probe/obama1.jpg'));
    const [rightEye, leftEye, nose, mouth] = face.landmarks;
    expect(rightEye[0]).toBeLessThan(leftEye[0]);
    expect(Math.max(rightEye[1], leftEye[1])).toBeLessThan(nose[1]);
    expect(nose[1]).toBeLessThan(mouth[1]);
  });

  it("reads the standing body's 33 keypoints top to bottom", async () => {
    const img = await load('people/ai-body.jpg');
    const people = (await detector.detectObjects(img)).filter((o) => o.label === 'person').map((o) => o.box);
    const poses = await detector.detectPoses(img, people);
    expect(poses).toHaveLength(1);
    const k = Object.fromEntries(poses[0].keypoints.map((p) => [p.name, p]));
    expect(poses[0].keypoints).toHaveLength(33);
    expect(k.nose.y).toBeLessThan(k.left_shoulder.y);
    expect(k.left_shoulder.y).toBeLessThan(k.left_hip.y);
    expect(k.left_hip.y).toBeLessThan(k.left_knee.y);
    expect(k.left_knee.y).toBeLessThan(k.left_ankle.y);
    // facing the camera: the subject's left is on the image's right
    expect(k.left_shoulder.x).toBeGreaterThan(k.right_shoulder.x);
    expect(k.nose.score).toBeGreaterThan(0.5);
    // the nose lies in the detected face
    const [face] = await detector.detectFaces(img);
    expect(k.nose.x).toBeGreaterThan(face.box[0]);
    expect(k.nose.x).toBeLessThan(face.box[2]);
  });

  it('gives each person of a group their own body (one pass over the frame, then the boxes left over)', async () => {
    // Obama and Biden side by side: a square around either holds both, and per-box passes alone
    // found one body for the two of them.
    const img = await load('faces/probe/two_people.jpg');
    const people = (await detector.detectObjects(img)).filter((o) => o.label === 'person' && o.score >= 0.5).map((o) => o.box);
    expect(people).toHaveLength(2);
    const poses = await detector.detectPoses(img, people);
    expect(poses).toHaveLength(2);
    const centre = (b: readonly number[]) => (b[0] + b[2]) / 2;
    const owner = (x: number) => people.findIndex((b) => x >= b[0] && x <= b[2] && Math.abs(x - centre(b)) === Math.min(...people.map((q) => Math.abs(x - centre(q)))));
    expect(new Set(poses.map((p) => owner(centre(p.box))))).toEqual(new Set([0, 1]));
  });

  it("finds the cheerleaders' raised wrists above their heads", async () => {
    const img = await load('people/stock-group-2.jpg');
    const people = (await detector.detectObjects(img)).filter((o) => o.label === 'person').map((o) => o.box);
    const poses = await detector.detectPoses(img, people);
    expect(poses.length).toBeGreaterThanOrEqual(2);
    const raised = poses.filter((p) => {
      const k = Object.fromEntries(p.keypoints.map((q) => [q.name, q]));
      return k.left_wrist.y < k.nose.y && k.right_wrist.y < k.nose.y;
    });
    expect(raised.length).toBeGreaterThanOrEqual(2);
  });

  it('embeds faces so that same-person pairs outscore different-person pairs (AUC over 0.97), and the match threshold holds', async () => {
    const photos: [string, string[]][] = [
      ['faces/known/barack_obama/1.jpg', ['obama']],
      ['faces/known/barack_obama/2.jpg', ['obama']],
      ['faces/probe/obama1.jpg', ['obama']],
      ['faces/probe/obama3.jpg', ['obama']],
      ['faces/known/joe_biden/1.jpg', ['biden']],
      ['faces/known/joe_biden/2.jpg', ['biden']],
      ['faces/probe/obama_and_biden.jpg', ['biden', 'obama']], // README says the reverse; Biden is on the left
      ['faces/known/kit_harington/1.jpg', ['kit']],
      ['faces/known/kit_harington/2.jpg', ['kit']],
      ['faces/probe/kit_harington1.jpg', ['kit']],
      ['faces/known/rose_leslie/1.jpg', ['rose']],
      ['faces/known/rose_leslie/2.jpg', ['rose']],
      ['faces/probe/kit_with_rose.jpg', ['rose', 'kit']], // README says the reverse; Rose is on the left
      ['faces/known/alex_lacamoire/1.jpg', ['alex']],
      ['faces/probe/alex_lacamoire1.jpg', ['alex']],
    ];
    const samples: { who: string; e: Float32Array }[] = [];
    for (const [file, people] of photos) {
      const img = await load(file);
      const faces = (await detector.detectFaces(img)).slice(0, people.length).sort((a, b) => a.box[0] - b.box[0]);
      for (const [i, face] of faces.entries()) samples.push({ who: people[i], e: await detector.embedFace(img, face) });
    }
    expect(samples).toHaveLength(17);
    expect(samples[0].e).toHaveLength(detector.embeddingDimensions!);
    expect(Math.hypot(...samples[0].e)).toBeCloseTo(1, 5);
    const same: number[] = [];
    const different: number[] = [];
    for (let i = 0; i < samples.length; i++)
      for (let j = i + 1; j < samples.length; j++) (samples[i].who === samples[j].who ? same : different).push(cosineSimilarity(samples[i].e, samples[j].e));
    let wins = 0;
    for (const s of same) for (const d of different) wins += s > d ? 1 : s === d ? 0.5 : 0;
    expect(wins / (same.length * different.length)).toBeGreaterThan(0.97);
    // the default match threshold names no one wrongly here and recognises most same-person pairs
    expect(Math.max(...different)).toBeLessThan(FACERES_MATCH_THRESHOLD);
    expect(same.filter((s) => s >= FACERES_MATCH_THRESHOLD).length / same.length).toBeGreaterThan(0.9);
  });
});

describe.skipIf(!haveFixtures || !haveModels)(`Detector with MoveNet for pose${skipReason}`, () => {
  let detector: Detector;
  beforeAll(async () => {
    const config = modelsSchema.parse({ pose: { model: 'movenet' } });
    detector = await Detector.create({ config, logger: silentLogger(), families: ['objects', 'pose'] });
  });
  afterAll(() => detector?.close());

  it('reads one body per person box, 17 keypoints, nose above hips above ankles', async () => {
    const img = await loadImage(join(FIXTURES, 'people/stock-group-2.jpg'));
    const people = (await detector.detectObjects(img)).filter((o) => o.label === 'person').map((o) => o.box);
    const poses = await detector.detectPoses(img, people);
    expect(poses).toHaveLength(4);
    for (const pose of poses) {
      const k = Object.fromEntries(pose.keypoints.map((p) => [p.name, p]));
      expect(pose.keypoints).toHaveLength(17);
      expect(k.nose.y).toBeLessThan(k.left_hip.y);
      expect(Math.min(k.left_hip.y, k.right_hip.y)).toBeLessThan(Math.max(k.left_ankle.y, k.right_ankle.y));
    }
  });

  it('finds no body in the landscape', async () => {
    expect(await detector.detectPoses(await loadImage(join(FIXTURES, 'people/background.jpg')))).toEqual([]);
  });
});
