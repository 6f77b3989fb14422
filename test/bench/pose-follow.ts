/**
 * BlazePose with and without following (src/analyzers/pose/pose-follower.ts) on the fixture clip,
 * as the live path runs it: every analyzer of the list on each motion frame, persons as the frame
 * analyzer finds them; in the pose analyzer's place, both pose paths on the same person boxes.
 * Run: node --import tsx test/bench/pose-follow.ts [--fps=10] [--steps=2,4,6] [--refresh=5] [--max-age=1000]
 *
 * `--steps`: analyze every n-th motion frame of the clip decoded at `--fps`, once from each of the
 * first n frames (so every frame counts for each step): a camera at 5 fps analyzed frame for frame
 * is step 2 at 10 fps; a loaded machine skips frames, and the follower then sees bodies that moved
 * further. Prints model runs per analyzed frame (counted, not timed), how far
 * the followed keypoints lie from the detector path's (share of the person box height) beside a
 * reference, how far the detector path's own pose moves when the landmark model reads it again in
 * the same frame from the ROI that pose gives (the crop alone, no motion), and the time of the two
 * pose paths as a ratio from the same frames.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineAnalyzer } from '../../src/analyzers/analyzer.js';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { detectPoseIn } from '../../src/analyzers/pose/find-poses.js';
import { poseAnalyzer } from '../../src/analyzers/pose/index.js';
import { FOLLOW_DEFAULTS, PoseFollower } from '../../src/analyzers/pose/pose-follower.js';
import { silentLogger } from '../../src/log.js';
import type { PoseDetection } from '../../src/models/detection.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { MotionDetector } from '../../src/motion/motion-detector.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import type { Box } from '../../src/vision/iou.js';
import { enrolledMatcher } from '../analyzers/enrolled-faces.js';
import { median } from './timing.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const VIDEO = join(FIXTURES, 'video', 'short_hamilton_clip.mp4');
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const STEPS = arg('steps', '2,4,6').split(',').map(Number);
const FOLLOW = { maxAgeMs: Number(arg('max-age', String(FOLLOW_DEFAULTS.maxAgeMs))), refreshEvery: Number(arg('refresh', String(FOLLOW_DEFAULTS.refreshEvery))) };
const FPS = Number(arg('fps', '10'));
const W = 640;
const H = 360;
const VISIBLE = analyzersSchema.parse({}).pose.min_keypoint_score;

if (!existsSync(VIDEO)) {
  console.log(`skipped: ${VIDEO} is absent`);
  process.exit(0);
}

const out = spawnSync(findFfmpeg(), ['-v', 'error', '-i', VIDEO, '-vf', `fps=${FPS},scale=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
const size = W * H * 3;
const motion = new MotionDetector(W, H, { threshold: 25, min_area: 300, background_alpha: 0.05 });
const frames: { data: Buffer; i: number; m: ReturnType<MotionDetector['detect']> }[] = [];
for (let i = 0; (i + 1) * size <= out.stdout.length; i++) {
  const data = Buffer.from(out.stdout.subarray(i * size, (i + 1) * size));
  const m = motion.detect(data);
  if (m.motion) frames.push({ data, i, m });
}

const runs = new Map<string, number>();
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), timings: { record: (model) => runs.set(model, (runs.get(model) ?? 0) + 1) } });
const matchFace = await enrolledMatcher(detector, join(FIXTURES, 'faces'));
const count = () => new Map(runs);
const diff = (a: Map<string, number>, b: Map<string, number>, model: string) => (b.get(model) ?? 0) - (a.get(model) ?? 0);
const DETECT = 'blazepose-detector';
const LANDMARKS = 'blazepose-full';

interface Tally {
  frames: number;
  boxes: number;
  runs: Record<'before' | 'after', { detector: number; landmarks: number; ms: number[] }>;
  both: number;
  missed: number;
  extra: number;
  /** Each visible keypoint's distance after vs before, as a share of its person box's height. */
  dist: number[];
  /** The same, for the detector path's pose read again from its own next-frame ROI in the same frame. */
  self: number[];
  /** Landmark runs of that reference. */
  selfRuns: number;
  all: Map<string, number>;
}

async function pass(step: number): Promise<Tally> {
  const tally: Tally = {
    frames: 0,
    boxes: 0,
    runs: { before: { detector: 0, landmarks: 0, ms: [] }, after: { detector: 0, landmarks: 0, ms: [] } },
    both: 0,
    missed: 0,
    extra: 0,
    dist: [],
    self: [],
    selfRuns: 0,
    all: new Map(),
  };
  // In the pose analyzer's place: the detector path (as before following), then the follower, on the same boxes.
  const bothPaths = defineAnalyzer({
    ...poseAnalyzer,
    create: ({ config, models }) => {
      const follower = new PoseFollower(models, FOLLOW);
      return {
        analyze: async (frame) => {
          const persons = (await frame.persons()).slice(0, config.max_people).map((p) => p.box);
          tally.boxes += persons.length;
          const timed = async <T>(side: 'before' | 'after', work: () => Promise<T>): Promise<T> => {
            const [c0, t0] = [count(), performance.now()];
            const result = await work();
            tally.runs[side].ms.push(performance.now() - t0);
            tally.runs[side].detector += diff(c0, runs, DETECT);
            tally.runs[side].landmarks += diff(c0, runs, LANDMARKS);
            return result;
          };
          const before = await timed('before', () => Promise.all(persons.map((p) => detectPoseIn(models, frame.img, p))));
          const after = await timed('after', () => follower.findEach(frame.img, persons, frame.time));
          compare(persons, before, after, tally.dist, tally);
          const own = before.map((p) => p?.roi);
          const again = await models.followPoses(
            frame.img,
            own.filter((r) => r !== undefined),
          );
          tally.selfRuns += again.length;
          compare(
            persons,
            before,
            own.map((r) => (r ? again.shift() : undefined)),
            tally.self,
          );
          return [];
        },
      };
    },
  });
  const start = count();
  for (let phase = 0; phase < step; phase++) {
    const analyzer = new FrameAnalyzer({
      analyzers: ANALYZERS.map((a) => (a.name === 'pose' ? bothPaths : a)),
      models: detector,
      config: analyzersSchema.parse({}),
      cameras: {},
      matchFace,
      references: () => [],
      now: Date.now,
      logger: silentLogger(),
    });
    for (const f of frames.filter((_, k) => k % step === phase)) {
      await analyzer.analyze({ camera: 'one', width: W, height: H, data: f.data, time: (f.i * 1000) / FPS, seq: f.i }, f.m);
      tally.frames++;
    }
  }
  for (const model of runs.keys()) tally.all.set(model, diff(start, runs, model));
  return tally;
}

/** Keypoint distances into `dist`; found and missed poses into `tally` when given. */
function compare(persons: readonly Box[], before: (PoseDetection | undefined)[], after: (PoseDetection | undefined)[], dist: number[], tally?: Tally): void {
  for (const [i, box] of persons.entries()) {
    const [b, a] = [before[i], after[i]];
    if (tally && b && !a) tally.missed++;
    if (tally && a && !b) tally.extra++;
    if (!a || !b) continue;
    if (tally) tally.both++;
    const height = box[3] - box[1];
    for (const [k, kb] of b.keypoints.entries()) {
      if (kb.score >= VISIBLE) dist.push(Math.hypot(a.keypoints[k].x - kb.x, a.keypoints[k].y - kb.y) / height);
    }
  }
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
console.log(
  `# Pose following on ${VIDEO.split('/').pop()} at ${FPS} fps: ${frames.length} motion frames; refresh every ${FOLLOW.refreshEvery} frames, tracks up to ${FOLLOW.maxAgeMs} ms old\n`,
);
console.log(
  '| ms between analyzed frames | frames | person boxes / frame | detector runs / frame, before → after | landmark runs / frame, before → after | poses both / missed after / extra after | keypoint distance median / p90 (share of box height) | reference: own ROI, same frame | pose time after ÷ before (median per frame) | all models, runs / frame |',
);
console.log('|---:|---:|---:|---|---|---|---|---|---:|---|');
for (const step of STEPS) {
  const t = await pass(step);
  const per = (n: number) => (n / t.frames).toFixed(2);
  const { before, after } = t.runs;
  const ratio = median(after.ms.map((ms, k) => ms / Math.max(0.001, before.ms[k])));
  const all = [...t.all.entries()].map(([m, n]) => `${m} ${per(n - (m === DETECT ? before.detector : m === LANDMARKS ? before.landmarks + t.selfRuns : 0))}`).join(', ');
  console.log(
    `| ${(step * 1000) / FPS} | ${t.frames} | ${per(t.boxes)} | ${per(before.detector)} → ${per(after.detector)} | ${per(before.landmarks)} → ${per(after.landmarks)} | ${t.both} / ${t.missed} / ${t.extra} | ${pct(quantile(t.dist, 0.5))} / ${pct(quantile(t.dist, 0.9))} | ${pct(quantile(t.self, 0.5))} / ${pct(quantile(t.self, 0.9))} | ${ratio.toFixed(2)} | ${all} |`,
  );
}
console.log("\n\"all models\": every run of the frame (objects, faces, the weapon analyzer's poses, the follower), the detector path's and the reference's runs left out.");
await detector.close();
