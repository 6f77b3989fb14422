import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { ensureDemoClip } from '../../src/demo/demo-clip.js';
import type { Detection } from '../../src/events/analyzed-frame.js';
import { PoseAnalyzer, isPresent } from '../../src/analyzers/pose/pose.js';
import { PoseSaveError, savePoseFromImage } from '../../src/analyzers/pose/reference-poses.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { openDatabase } from '../../src/store/database.js';
import { PoseLibrary } from '../../src/store/poses.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { sampleVideo } from '../../src/sources/video-frames.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';

const PEOPLE = '../shared/fixtures/people';
const config = analyzersSchema.parse({}).pose;

describe.skipIf(!existsSync(PEOPLE))('pose analyzer on real photos (needs ../shared/fixtures)', () => {
  let detector: Detector;
  let library: PoseLibrary;
  const persons = async (img: RgbImage) => (await detector.detectObjects(img)).filter((o) => o.label === 'person' && o.score >= 0.4).map((o) => o.box);
  const analyze = async (analyzer: PoseAnalyzer, img: RgbImage, time = 0): Promise<Detection[]> => analyzer.analyze(img, await persons(img), time);

  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects', 'pose'] });
    library = new PoseLibrary(openDatabase(':memory:'));
  });
  afterAll(() => detector?.close());

  it('a hands_up pose saved from stock-group-2.jpg matches those people and not ai-body.jpg', async () => {
    const deps = { detector, library, model: 'blazepose', minKeypointScore: config.min_keypoint_score, now: () => 1_790_000_000_000 };
    const saved = await savePoseFromImage(deps, 'hands_up', await loadImage(`${PEOPLE}/stock-group-2.jpg`), config.match_threshold);
    expect(saved.vector.left_wrist[1]).toBeLessThan(saved.vector.nose[1]); // wrists above the head
    expect(library.get('hands_up')?.threshold).toBe(0.7);

    // each photo judged alone: a saved pose counts at its first match (live frames ask for 2 of 3)
    const analyzer = new PoseAnalyzer(detector, { ...config, match_hits: 1, match_frames: 1 }, () => library.list());
    const group = await analyze(analyzer, await loadImage(`${PEOPLE}/stock-group-2.jpg`));
    expect(group).toHaveLength(4);
    for (const d of group) {
      expect(d.label).toBe('hands_up');
      expect(d.attributes?.similarity).toBeGreaterThan(0.8);
      // the event's score is the likeness its threshold reads, the detector's beside it
      expect(d.score).toBe(d.attributes?.similarity);
      expect(d.attributes?.detector_score).toBeGreaterThan(0.5);
    }
    // people with their arms anywhere else: group-1's third person scored 0.90 on keypoint positions (every upright body is much alike there)
    for (const f of ['group-1.jpg', 'group-3.jpg', 'group-6.jpg']) {
      const others = await analyze(analyzer, await loadImage(`${PEOPLE}/${f}`));
      expect(others.length, f).toBeGreaterThan(0);
      expect(
        others.map((d) => d.label),
        f,
      ).not.toContain('hands_up');
    }
    const body = await analyze(analyzer, await loadImage(`${PEOPLE}/ai-body.jpg`));
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({ kind: 'pose', label: 'person', attributes: { pose: null, fallen: false } });
    expect(body[0].attributes?.keypoints).toHaveLength(33);
    // rounded for the event messages that carry them: a tenth of a pixel, a thousandth of a score
    for (const k of (body[0].attributes?.keypoints ?? []) as Array<{ x: number; y: number; score: number }>) {
      expect(Number.isInteger(Math.round(k.x * 10 * 1e6) / 1e6)).toBe(true);
      expect(Number.isInteger(Math.round(k.score * 1000 * 1e6) / 1e6)).toBe(true);
    }
    expect(JSON.stringify(body[0].attributes?.keypoints).length).toBeLessThan(2200);
  });

  it('refuses to save a pose from a photo without people', async () => {
    const deps = { detector, library, model: 'blazepose', minKeypointScore: 0.5, now: () => 0 };
    await expect(savePoseFromImage(deps, 'nothing', await loadImage(`${PEOPLE}/background.jpg`), 0.9)).rejects.toBeInstanceOf(PoseSaveError);
    await expect(savePoseFromImage(deps, 'Bad Name', await loadImage(`${PEOPLE}/ai-body.jpg`), 0.9)).rejects.toThrow(/a-z/);
  });

  it('reports a fall only after a body has lain low in the frame for fall_seconds', async () => {
    // ai-body turned on its side, with sky added above so the body lies in the lower half
    const { data, info } = await sharp(`${PEOPLE}/ai-body.jpg`)
      .rotate(90)
      .extend({ top: 900, background: { r: 0, g: 0, b: 0 } })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const lying: RgbImage = { width: info.width, height: info.height, data: new Uint8Array(data) };
    const analyzer = new PoseAnalyzer(detector, { ...config, fall_seconds: 2 }, () => []);
    const first = await analyze(analyzer, lying, 10_000);
    expect(first).toHaveLength(1);
    expect(first[0].attributes?.torso_angle).toBeGreaterThan(60);
    expect(first[0].label).toBe('person');
    expect((await analyze(analyzer, lying, 11_000))[0].label).toBe('person');
    const later = await analyze(analyzer, lying, 12_100);
    expect(later[0]).toMatchObject({ label: 'fall', attributes: { fallen: true } });

    const upright = new PoseAnalyzer(detector, { ...config, fall_seconds: 0 }, () => []);
    expect((await analyze(upright, await loadImage(`${PEOPLE}/ai-body.jpg`), 0))[0].attributes?.fallen).toBe(false);
  });

  it('does not call an upside-down body a fall (a camera mounted upside down)', async () => {
    const { data, info } = await sharp(`${PEOPLE}/ai-body.jpg`).rotate(180).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const inverted: RgbImage = { width: info.width, height: info.height, data: new Uint8Array(data) };
    const analyzer = new PoseAnalyzer(detector, { ...config, fall_seconds: 0 }, () => []);
    const [body] = await analyze(analyzer, inverted, 0);
    expect(body.attributes?.torso_angle).toBeGreaterThan(150); // head down, hips in the lower half
    expect(body).toMatchObject({ label: 'person', attributes: { fallen: false } });
  });

  it('finds no lying body on any frame of the demo clip, where some seated people are read head-down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-pose-demo-'));
    try {
      const clip = await ensureDemoClip(dir, findFfmpeg());
      // fall_seconds 0: every frame is judged on its own, not only a run of 2 s of one body
      const analyzer = new PoseAnalyzer(detector, { ...config, fall_seconds: 0 }, () => []);
      const angles: number[] = [];
      let time = 0;
      for await (const frame of sampleVideo(clip, 0.2)) {
        time += 200;
        for (const d of await analyze(analyzer, frame, time)) {
          expect(d.label).not.toBe('fall');
          angles.push(Number(d.attributes?.torso_angle ?? 0));
        }
      }
      expect(angles.length).toBeGreaterThan(100);
      expect(Math.max(...angles)).toBeGreaterThan(120); // the head-down readings the rule must not take for lying
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('does not count a person too small to see', async () => {
    const [pose] = await detector.detectPoses(await loadImage(`${PEOPLE}/ai-body.jpg`));
    expect(isPresent(pose, config)).toBe(true);
    const tiny = { ...pose, keypoints: pose.keypoints.map((k) => ({ ...k, x: k.x / 30, y: k.y / 30 })) };
    expect(isPresent(tiny, config)).toBe(false);
    const hidden = { ...pose, keypoints: pose.keypoints.map((k, i) => ({ ...k, score: i < 5 ? 0.9 : 0.1 })) };
    expect(isPresent(hidden, config)).toBe(false);
  });
});

describe.skipIf(!existsSync(PEOPLE))('pose analyzer with MoveNet (needs ../shared/fixtures)', () => {
  let detector: Detector;

  beforeAll(async () => {
    const models = defaultModelsConfig();
    models.pose.model = 'movenet';
    detector = await Detector.create({ config: models, logger: silentLogger(), families: ['objects', 'pose'] });
  });
  afterAll(() => detector?.close());

  it('matches a hands_up pose saved with its 17 keypoints on the cheerleaders, not on ai-body.jpg', async () => {
    const library = new PoseLibrary(openDatabase(':memory:'));
    const group = await loadImage(`${PEOPLE}/stock-group-2.jpg`);
    await savePoseFromImage({ detector, library, model: 'movenet', minKeypointScore: config.min_keypoint_score, now: () => 0 }, 'hands_up', group, config.match_threshold);
    // MoveNet is less sure of these bodies: a person counts from 6 visible keypoints here
    const analyzer = new PoseAnalyzer(detector, { ...config, min_keypoints: 6, match_hits: 1, match_frames: 1 }, () => library.list());
    const boxes = async (img: RgbImage) => (await detector.detectObjects(img)).filter((o) => o.label === 'person' && o.score >= 0.4).map((o) => o.box);
    const cheer = await analyzer.analyze(group, await boxes(group), 0);
    expect(cheer.length).toBeGreaterThanOrEqual(3);
    // two of the four show fewer than four bones MoveNet is sure of: too little of a body to compare, so not matched
    expect(cheer.filter((d) => d.label === 'hands_up').length).toBeGreaterThanOrEqual(2);
    const body = await loadImage(`${PEOPLE}/ai-body.jpg`);
    const single = await analyzer.analyze(body, await boxes(body), 0);
    expect(single).toHaveLength(1);
    expect(single[0].attributes?.keypoints).toHaveLength(17);
    expect(single[0].label).toBe('person');
  });
});
