import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzersSchema } from '../../../src/analyzers/config.js';
import { detectPoseIn } from '../../../src/analyzers/pose/find-poses.js';
import { PoseFollower } from '../../../src/analyzers/pose/pose-follower.js';
import { silentLogger } from '../../../src/log.js';
import type { PoseDetection } from '../../../src/models/detection.js';
import { Detector } from '../../../src/models/detector.js';
import { defaultModelsConfig } from '../../../src/models/model-config.js';
import { findFfmpeg } from '../../../src/sources/ffmpeg-path.js';
import type { RgbImage } from '../../../src/vision/image.js';
import type { Box } from '../../../src/vision/iou.js';

const VIDEO = '../shared/fixtures/video/short_hamilton_clip.mp4';
const [W, H, FPS] = [640, 360, 5];
/** Frames 18–38 at 5 fps: one seated man in every frame, filmed close up while the camera pans. */
const SHOT = { first: 18, last: 38 };
const { min_score } = analyzersSchema.parse({}).person;
const VISIBLE = analyzersSchema.parse({}).pose.min_keypoint_score;

/** Each keypoint the detector path sees, its distance to the followed one as a share of the person box's height. */
function distances(before: PoseDetection, after: PoseDetection, box: Box): number[] {
  return before.keypoints.flatMap((k, i) => (k.score >= VISIBLE ? [Math.hypot(after.keypoints[i].x - k.x, after.keypoints[i].y - k.y) / (box[3] - box[1])] : []));
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];

describe.skipIf(!existsSync(VIDEO))('pose following on the Hamilton clip (needs ../shared/fixtures)', () => {
  let detector: Detector;
  const runs = new Map<string, number>();
  const frames: RgbImage[] = [];
  /** The BlazePose runs a piece of work costs, counted in the worker pool (not timed). */
  const counted = async <T>(work: () => Promise<T>): Promise<{ result: T; detector: number; landmarks: number }> => {
    const before = new Map(runs);
    const result = await work();
    const ran = (model: string) => (runs.get(model) ?? 0) - (before.get(model) ?? 0);
    return { result, detector: ran('blazepose-detector'), landmarks: ran('blazepose-full') };
  };
  const persons = async (img: RgbImage) => (await detector.detectObjects(img)).filter((o) => o.label === 'person' && o.score >= min_score).map((o) => o.box);

  beforeAll(async () => {
    const out = spawnSync(findFfmpeg(), ['-v', 'error', '-i', VIDEO, '-vf', `fps=${FPS}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
    if (out.status !== 0) throw new Error(`ffmpeg: ${out.stderr.toString()}`);
    const size = W * H * 3;
    for (let i = 0; (i + 1) * size <= out.stdout.length; i++) frames.push({ width: W, height: H, data: out.stdout.subarray(i * size, (i + 1) * size) });
    detector = await Detector.create({
      config: defaultModelsConfig(),
      logger: silentLogger(),
      families: ['objects', 'pose'],
      timings: { record: (model) => runs.set(model, (runs.get(model) ?? 0) + 1) },
    });
  });
  afterAll(() => detector?.close());

  it('gives the poses the detector path gives, within a few per cent of the body, with a third of its detector runs', async () => {
    const follower = new PoseFollower(detector);
    const dist: number[] = [];
    const detectorRuns = { before: 0, after: 0 };
    let found = 0;
    for (let i = SHOT.first; i <= SHOT.last; i++) {
      const img = frames[i];
      const boxes = await persons(img);
      expect(boxes).toHaveLength(1);
      const before = await counted(() => detectPoseIn(detector, img, boxes[0]));
      const after = await counted(() => follower.findEach(img, boxes, i * 200));
      detectorRuns.before += before.detector;
      detectorRuns.after += after.detector;
      const [b, a] = [before.result, after.result[0]];
      expect(b).toBeDefined();
      expect(a).toBeDefined();
      if (!a || !b) continue;
      found++;
      dist.push(...distances(b, a, boxes[0]));
    }
    expect(found).toBe(SHOT.last - SHOT.first + 1);
    // Measured: median 1.5 %, p90 4.5 % of the box height.
    expect(quantile(dist, 0.5)).toBeLessThan(0.03);
    expect(quantile(dist, 0.9)).toBeLessThan(0.08);
    // One detector run a frame before; after, the first frame and a refresh every third.
    expect(detectorRuns.before).toBe(SHOT.last - SHOT.first + 1);
    expect(detectorRuns.after).toBe(Math.ceil((SHOT.last - SHOT.first + 1) / 3));
  });

  it('follows with the landmark model alone, and searches afresh once the body has no person box', async () => {
    const follower = new PoseFollower(detector);
    const [a, b, c] = [frames[20], frames[21], frames[22]];
    await follower.find(a, await persons(a), 4000);
    const followed = await counted(async () => follower.find(b, await persons(b), 4200));
    expect(followed).toMatchObject({ detector: 0, landmarks: 1 });
    expect(followed.result).toHaveLength(1);

    // A frame without person boxes (the man left): the whole frame is searched, and his track is gone.
    await follower.find(frames[10], [], 4400);
    const back = await counted(async () => follower.find(c, await persons(c), 4600));
    expect(back.detector).toBe(1);
    expect(back.result).toHaveLength(1);
  });

  it('does not follow a body into another person box, nor after a gap longer than a second', async () => {
    const follower = new PoseFollower(detector);
    await follower.find(frames[20], await persons(frames[20]), 4000);
    // The small person at the left of frame 0 holds no hips of the man's body.
    const elsewhere: Box = [13, 173, 95, 241];
    const other = await counted(() => follower.findEach(frames[0], [elsewhere], 4200));
    expect(other.detector).toBe(1);

    await follower.find(frames[20], await persons(frames[20]), 5000);
    const late = await counted(async () => follower.find(frames[21], await persons(frames[21]), 6200));
    expect(late.detector).toBe(1);
  });

  it('falls back to the detector where the landmark model loses the body (its pose flag drops)', async () => {
    const follower = new PoseFollower(detector);
    const boxes = await persons(frames[20]);
    await follower.find(frames[20], boxes, 4000);
    // The same person box on a black frame: the followed crop holds no body.
    const dark = { width: W, height: H, data: new Uint8Array(W * H * 3) };
    const lost = await counted(() => follower.find(dark, boxes, 4200));
    expect(lost).toMatchObject({ result: [], detector: 1, landmarks: 1 });
  });

  it('searches a person box the detector found no body in again only when its box changes, or at the refresh', async () => {
    const follower = new PoseFollower(detector);
    // A small, half-hidden person at the left of the first frames: the pose detector finds no body there.
    const small: Box = [13, 173, 95, 241];
    const ran: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { result, detector: runs } = await counted(() => follower.findEach(frames[i], [small], i * 200));
      expect(result).toEqual([undefined]);
      ran.push(runs);
    }
    expect(ran).toEqual([1, 0, 0, 1, 0, 0]);
    const moved: Box = [60, 173, 142, 241];
    expect((await counted(() => follower.findEach(frames[6], [moved], 1200))).detector).toBe(1);
  });
});
