/**
 * The faces' second-look memory (FaceSearch.confirmed, kept per camera by FrameAnalyzer): the
 * Hamilton clip at 5 fps, every frame through the analyzers twice, once 200 ms apart (the memory
 * used on two frames of three) and once 1.1 s apart (never used: too old). Prints BlazeFace runs a
 * frame and the faces found each way, and how many faces of one run the other found too.
 * Run: npx tsx test/bench/face-memory.ts
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { silentLogger } from '../../src/log.js';
import type { FaceDetection } from '../../src/models/detection.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { iou } from '../../src/vision/iou.js';

const VIDEO = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'video', 'short_hamilton_clip.mp4');
const [W, H] = [640, 360];
const out = spawnSync(findFfmpeg(), ['-v', 'error', '-i', VIDEO, '-vf', `fps=5,scale=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
const frames = Array.from({ length: Math.floor(out.stdout.length / (W * H * 3)) }, (_, i) => out.stdout.subarray(i * W * H * 3, (i + 1) * W * H * 3));

const runs = new Map<string, number>();
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), timings: { record: (m) => runs.set(m, (runs.get(m) ?? 0) + 1) } });

async function pass(gapMs: number): Promise<{ faces: FaceDetection[][]; blazeface: number }> {
  runs.clear();
  const faces: FaceDetection[][] = [];
  const models = Object.assign(Object.create(detector), {
    detectFaces: async (...a: Parameters<Detector['detectFaces']>) => {
      const found = await detector.detectFaces(...a);
      faces.push(found);
      return found;
    },
  }) as Detector;
  const analyzer = new FrameAnalyzer({
    analyzers: ANALYZERS,
    models,
    config: analyzersSchema.parse({}),
    cameras: {},
    references: () => [],
    matchFace: () => null,
    now: () => 0,
    logger: silentLogger(),
  });
  for (const [i, data] of frames.entries()) {
    await analyzer.analyze({ camera: 'c', width: W, height: H, seq: i, time: 1_000_000 + i * gapMs, data: Buffer.from(data) }, { motion: true, changed: 1, boxes: [[0, 0, W, H]] });
  }
  return { faces, blazeface: runs.get('blazeface-back') ?? 0 };
}

const [off, on] = [await pass(1100), await pass(200)];
const count = (f: FaceDetection[][]) => f.reduce((s, x) => s + x.length, 0);
const common = off.faces.reduce((s, a, i) => s + a.filter((f) => on.faces[i].some((g) => iou(f.box, g.box) >= 0.5)).length, 0);
console.log(`${frames.length} frames of ${W}×${H}`);
console.log(`memory never used: BlazeFace ${(off.blazeface / frames.length).toFixed(2)} runs a frame, ${count(off.faces)} faces`);
console.log(`memory used (each face looked at once in three frames): BlazeFace ${(on.blazeface / frames.length).toFixed(2)} runs a frame, ${count(on.faces)} faces`);
console.log(`faces found both ways: ${common} (IoU ≥ 0.5)`);
await detector.close();
