import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzersSchema } from '../../src/analyzers/config.js';
import type { MatchFace } from '../../src/analyzers/analyzer.js';
import { FaceAnalyzer } from '../../src/analyzers/faces/faces.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';
import { enrolledMatcher } from './enrolled-faces.js';
import { FaceEvents } from './faces/found-face.js';

const FACES = '../shared/fixtures/faces';
const PEOPLE = '../shared/fixtures/people';
// One photo is one frame: a name needs no confirming frames here (the tracks are tested on the clip).
const config = { ...analyzersSchema.parse({}).faces, confirm_frames: 1 };
const blurred = async (file: string, sigma: number) => loadImage(await sharp(file).blur(sigma).toBuffer());

describe.skipIf(!existsSync(FACES))('face analyzer on real photos (needs ../shared/fixtures)', () => {
  let detector: Detector;
  let matchFace: MatchFace;
  const probe = (name: string) => loadImage(`${FACES}/probe/${name}`);
  const persons = async (img: RgbImage) => (await detector.detectObjects(img)).filter((o) => o.label === 'person' && o.score >= 0.4).map((o) => o.box);

  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects', 'faces'] });
    matchFace = await enrolledMatcher(detector, FACES);
  });
  afterAll(() => detector?.close());

  it('recognises enrolled people inside their person boxes', async () => {
    const img = await probe('obama_and_biden.jpg');
    const boxes = await persons(img);
    expect(boxes.length).toBeGreaterThanOrEqual(2);
    const faces = (await new FaceAnalyzer(detector, matchFace, config).analyze(img, boxes, 0)).sort((a, b) => a.box[0] - b.box[0]);
    // Biden's face is the left one in this photo (x ≈ 755 of 2000), Obama's at x ≈ 1146; a third,
    // unenrolled face at the lower right stays unknown. Overlapping person boxes find each face once.
    expect(faces.map((f) => f.sub_label)).toEqual(['joe_biden', 'barack_obama', null]);
    for (const f of faces.slice(0, 2)) {
      expect(f).toMatchObject({ kind: 'face', label: 'face' });
      expect(f.attributes?.similarity).toBeGreaterThan(0.58);
      expect(f.attributes?.embedding).toBeUndefined();
    }
  });

  it('keeps the crop and embedding of an unknown face so it can be named later', async () => {
    // four women, none enrolled
    const img = await loadImage(`${PEOPLE}/group-3.jpg`);
    const faces = await new FaceAnalyzer(detector, matchFace, config).analyze(img, await persons(img), 0);
    expect(faces).toHaveLength(4);
    for (const f of faces) {
      expect(f.sub_label).toBeNull();
      const embedding = f.attributes?.embedding as Float32Array;
      expect(embedding).toBeInstanceOf(Float32Array);
      expect(embedding.length).toBe(detector.embeddingDimensions);
      const meta = await sharp(f.attributes?.crop as Buffer).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width).toBeGreaterThan(f.box[2] - f.box[0]);
    }
  });

  it('searches person crops in one pass and only the whole frame with tiles', async () => {
    const img = await probe('obama_and_biden.jpg');
    const boxes = await persons(img);
    const searches: (boolean | undefined)[] = [];
    const recording = {
      ...detector,
      embedFace: detector.embedFace.bind(detector),
      detectFaces: (image: RgbImage, opts?: { tiles?: boolean }) => {
        searches.push(opts?.tiles);
        return detector.detectFaces(image, opts);
      },
    };
    const analyzer = new FaceAnalyzer(recording, matchFace, config);
    expect((await analyzer.findFaces(img, boxes)).length).toBe(3);
    expect(searches).toEqual(boxes.map(() => false));
    searches.length = 0;
    await analyzer.findFaces(img, []);
    expect(searches).toEqual([true]);
  });

  it('looks in the whole frame when there are no person boxes', async () => {
    const faces = await new FaceAnalyzer(detector, matchFace, config).analyze(await probe('obama1.jpg'), [], 0);
    expect(faces.map((f) => f.sub_label)).toEqual(['barack_obama']);
  });

  it('skips faces narrower than min_face_px', async () => {
    const img = await probe('kit_harington1.jpg'); // a face about 173 px wide
    const strict = new FaceAnalyzer(detector, matchFace, { ...config, min_face_px: 200 });
    expect((await strict.findFaces(img, [])).map((f) => f.status)).toEqual(['too_small']);
    expect(await strict.analyze(img, [], 0)).toEqual([]);
    const loose = new FaceAnalyzer(detector, matchFace, { ...config, min_face_px: 150 });
    expect((await loose.analyze(img, [], 0)).map((f) => f.sub_label)).toEqual(['kit_harington']);
  });

  it('skips faces too blurred to recognise, and keeps them sharp', async () => {
    const analyzer = new FaceAnalyzer(detector, matchFace, config);
    const sharpFaces = await analyzer.findFaces(await probe('kit_with_rose.jpg'), []);
    expect(sharpFaces.map((f) => f.status)).toEqual(['ok', 'ok']);
    const soft = await analyzer.findFaces(await blurred(`${FACES}/probe/kit_with_rose.jpg`, 4), []);
    expect(soft.length).toBe(2); // still found as faces…
    for (const f of soft) {
      expect(f.status).toBe('blurred'); // …but not embedded
      expect(f.sharpness).toBeLessThan(config.min_sharpness);
    }
    expect(await analyzer.analyze(await blurred(`${FACES}/probe/kit_with_rose.jpg`, 4), [], 0)).toEqual([]);
  });

  it('one visit, one event: a person seen again within the cooldown is the same event, held open meanwhile', async () => {
    const img = await probe('obama1.jpg');
    const analyzer = new FaceAnalyzer(detector, matchFace, { ...config, cooldown: 60 });
    const events = new FaceEvents();
    const started: number[] = [];
    for (const time of [0, 30_000, 80_000, 141_000]) {
      const found = await analyzer.analyze(img, [], time);
      // every sighting is reported, named, and holds its event for the cooldown
      expect(found.map((d) => [d.sub_label, d.hold])).toEqual([['barack_obama', 60]]);
      started.push(events.see(found, time));
    }
    // last seen at 30 s, back at 80: the same visit; unseen for 61 s: a new one
    expect(started).toEqual([1, 0, 0, 1]);

    const strangers = await loadImage(`${PEOPLE}/group-3.jpg`);
    const seen = new FaceEvents();
    expect(seen.see(await analyzer.analyze(strangers, [], 0), 0)).toBe(4);
    // still there a frame later: the same four strangers, followed by their boxes
    expect(seen.see(await analyzer.analyze(strangers, [], 200), 200)).toBe(0);
    // back after 5 s: the same four visits, the same four events (their identities, not their boxes)
    const back = await analyzer.analyze(strangers, [], 5_200);
    expect(back).toHaveLength(4);
    expect(seen.see(back, 5_200)).toBe(0);
  });
});
