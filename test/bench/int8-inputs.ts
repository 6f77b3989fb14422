/**
 * Real model inputs for int8 calibration and agreement: the feeds each default model gets when
 * Argus analyzes the fixture photos (`analyzeImage`: objects, faces with tiles and embeddings,
 * pose) and the fixture clip's motion frames (the live analyzers, faces in person crops).
 * `part` splits them: even clip frames and the `people/` + `faces/known/` photos calibrate,
 * odd clip frames and `faces/probe/` check agreement.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { silentLogger } from '../../src/log.js';
import { analyzeImage } from '../../src/models/analyze-image.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig, type ModelsConfig } from '../../src/models/model-config.js';
import { SessionPool } from '../../src/models/session-pool.js';
import type { TensorData } from '../../src/models/tensor-data.js';
import { MotionDetector } from '../../src/motion/motion-detector.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { rgbImage, type RgbImage } from '../../src/vision/image.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
const VIDEO = join(FIXTURES, 'video', 'short_hamilton_clip.mp4');
/** Where calibrate-int8.ts writes each model's ranges (gitignored). */
export const CALIBRATION_DIR = join(import.meta.dirname, '..', '..', '.cache', 'int8');

export type Part = 'calibrate' | 'check';

export async function photo(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path)
    .rotate()
    .resize({ width: 1280, height: 1280, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return rgbImage(info.width, info.height, new Uint8Array(data));
}

export function photoPaths(part: Part): string[] {
  const dirs = part === 'calibrate' ? ['people', join('faces', 'known')] : [join('faces', 'probe')];
  const list = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(join(dir, e.name)) : /\.(jpe?g|png)$/i.test(e.name) ? [join(dir, e.name)] : []));
  return dirs.flatMap((d) => (existsSync(join(FIXTURES, d)) ? list(join(FIXTURES, d)) : []));
}

/** The clip at 5 fps, 640×360, as the motion gate passes it: [frame, motion] for the frames with motion. */
export function clipFrames(part: Part): Array<{ img: RgbImage; motion: ReturnType<MotionDetector['detect']> }> {
  const [W, H] = [640, 360];
  const out = spawnSync(findFfmpeg(), ['-v', 'error', '-i', VIDEO, '-vf', 'fps=5', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  const size = W * H * 3;
  const motion = new MotionDetector(W, H, { threshold: 25, min_area: 300, background_alpha: 0.05 });
  const frames = [];
  for (let i = 0; (i + 1) * size <= out.stdout.length; i++) {
    const data = new Uint8Array(out.stdout.subarray(i * size, (i + 1) * size));
    const m = motion.detect(Buffer.from(data));
    if (m.motion) frames.push({ img: rgbImage(W, H, data), motion: m });
  }
  return frames.filter((_, i) => (i % 2 === 0) === (part === 'calibrate'));
}

/** Every feed each model was given while Argus analyzed the part's photos and clip frames. */
export async function recordFeeds(part: Part, config: ModelsConfig = defaultModelsConfig()): Promise<Map<string, Array<Record<string, TensorData>>>> {
  const feeds = new Map<string, Array<Record<string, TensorData>>>();
  const run = SessionPool.prototype.run;
  // A bench-only tap: copies each feed before the pool transfers it to the worker.
  SessionPool.prototype.run = function (this: SessionPool, name, f, outputs) {
    const copy = Object.fromEntries(Object.entries(f).map(([k, t]) => [k, { ...t, dims: [...t.dims], data: t.data.slice() } as TensorData]));
    feeds.set(name, [...(feeds.get(name) ?? []), copy]);
    return run.call(this, name, f, outputs);
  };
  try {
    const detector = await Detector.create({ config, logger: silentLogger() });
    try {
      for (const path of photoPaths(part)) await analyzeImage(detector, await photo(path), { file: path, families: ['objects', 'faces', 'pose'], embeddings: true });
      const analyzer = new FrameAnalyzer({
        analyzers: ANALYZERS,
        models: detector,
        config: analyzersSchema.parse({}),
        cameras: {},
        matchFace: () => null,
        references: () => [],
        now: Date.now,
        logger: silentLogger(),
      });
      for (const [i, f] of clipFrames(part).entries()) {
        await analyzer.analyze({ camera: 'clip', time: i * 200, seq: i, width: f.img.width, height: f.img.height, data: Buffer.from(f.img.data) }, f.motion);
      }
    } finally {
      await detector.close();
    }
  } finally {
    SessionPool.prototype.run = run;
  }
  return feeds;
}
