/**
 * The analyzers on the fixture video, as a camera would feed them.
 * Run: npx tsx test/bench/analyzers-video.ts [--cameras=2] [--fps=5]
 *
 * 1. Each motion frame analyzed one at a time (nothing dropped): per-frame time of the whole
 *    analysis against the object detector alone on the same frames (the reference, same run).
 * 2. The clip fed in real time by N cameras at once through the scheduler: frames submitted,
 *    analyzed and dropped as stale per camera.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { AnalysisScheduler } from '../../src/analyzers/scheduler.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { MotionDetector, type MotionResult } from '../../src/motion/motion-detector.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { enrolledMatcher } from '../analyzers/enrolled-faces.js';
import { median } from './timing.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const VIDEO = join(FIXTURES, 'video', 'short_hamilton_clip.mp4');
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const CAMERAS = arg('cameras', 2);
const FPS = arg('fps', 5);
const W = 640;
const H = 360;

if (!existsSync(VIDEO)) {
  console.log(`skipped: ${VIDEO} is absent`);
  process.exit(0);
}

const out = spawnSync(findFfmpeg(), ['-v', 'error', '-i', VIDEO, '-vf', `fps=${FPS}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
const size = W * H * 3;
const raw: Buffer[] = [];
for (let i = 0; (i + 1) * size <= out.stdout.length; i++) raw.push(Buffer.from(out.stdout.subarray(i * size, (i + 1) * size)));
const motion = new MotionDetector(W, H, { threshold: 25, min_area: 300, background_alpha: 0.05 });
const moving = raw.map((data, i) => ({ data, i, m: motion.detect(data) })).filter((f) => f.m.motion);

const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
const matchFace = await enrolledMatcher(detector, join(FIXTURES, 'faces'));
const makeAnalyzer = () =>
  new FrameAnalyzer({
    analyzers: ANALYZERS,
    models: detector,
    config: analyzersSchema.parse({}),
    cameras: {},
    matchFace,
    references: () => [],
    now: Date.now,
    logger: silentLogger(),
  });

const objectsMs: number[] = [];
const fullMs: number[] = [];
const analyzer = makeAnalyzer();
for (const f of moving) {
  const img = { width: W, height: H, data: f.data };
  let t0 = performance.now();
  await detector.detectObjects(img);
  objectsMs.push(performance.now() - t0);
  t0 = performance.now();
  await analyzer.analyze({ camera: 'one', width: W, height: H, data: f.data, time: (f.i * 1000) / FPS, seq: f.i }, f.m);
  fullMs.push(performance.now() - t0);
}
const fmt = (n: number) => n.toFixed(0);
console.log(`# Analyzers on ${VIDEO.split('/').pop()} at ${FPS} fps: ${raw.length} frames, ${moving.length} with motion\n`);
console.log('| per motion frame | median ms | max ms |');
console.log('|---|---:|---:|');
console.log(`| objects only (reference) | ${fmt(median(objectsMs))} | ${fmt(Math.max(...objectsMs))} |`);
console.log(`| person + weapon + faces + pose | ${fmt(median(fullMs))} | ${fmt(Math.max(...fullMs))} |`);
console.log(`\nfull ÷ objects: ${(median(fullMs) / median(objectsMs)).toFixed(1)}×\n`);

// Real time: every camera plays the clip from the same start, one frame every 1000/FPS ms.
const live = makeAnalyzer();
const scheduler = new AnalysisScheduler({ analyze: (f, m) => live.analyze(f, m), onAnalyzed: () => undefined, concurrency: 1, logger: silentLogger() });
scheduler.start();
const cameras = Array.from({ length: CAMERAS }, (_, c) => `cam${c + 1}`);
const start = Date.now();
for (const f of moving) {
  await new Promise((r) => setTimeout(r, Math.max(0, start + (f.i * 1000) / FPS - Date.now())));
  for (const camera of cameras) scheduler.submit({ camera, width: W, height: H, data: f.data, time: Date.now(), seq: f.i }, f.m as MotionResult);
}
await scheduler.stop();
console.log(`## ${CAMERAS} cameras in real time, concurrency 1\n`);
console.log('| camera | submitted | analyzed | dropped (stale) |');
console.log('|---|---:|---:|---:|');
for (const camera of cameras) {
  const s = scheduler.stats(camera);
  console.log(`| ${camera} | ${s.submitted} | ${s.analyzed} | ${s.dropped} |`);
}
await detector.close();
