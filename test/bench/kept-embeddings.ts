/**
 * Kept embeddings (analyzers.faces.reembed_frames, docs/analyzers.md#faces): the Hamilton clip's
 * frames at 5 fps through the FrameAnalyzer with every analyzer, as one camera analysed frame for
 * frame, embedding every face every frame (`reembed_frames: 1`) against the default (3), the two
 * in turns in one process (each pass a fresh analyzer, so each starts with no tracks).
 * Run: npx tsx test/bench/kept-embeddings.ts [frames=50] [passes=12]
 * Prints ms a frame (median pass), FaceRes runs a frame and the stranger events of each.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzersSchema, cameraAnalyzersSchema } from '../../src/analyzers/config.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import type { Frame } from '../../src/sources/frame.js';
import { median, timePaired } from './timing.js';

const VIDEO = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'video', 'short_hamilton_clip.mp4');
if (!existsSync(VIDEO)) {
  console.log(`skipped: ${VIDEO} is absent`);
  process.exit(0);
}
const [W, H] = [640, 360];
const count = Number(process.argv[2] ?? 50);
const passes = Number(process.argv[3] ?? 12);
const raw = spawnSync(findFfmpeg(), ['-v', 'error', '-i', VIDEO, '-vf', `fps=5,scale=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 }).stdout;
const frames: Frame[] = [];
for (let i = 0; i < count && (i + 1) * W * H * 3 <= raw.length; i++) {
  frames.push({ camera: 'cam', width: W, height: H, seq: i, time: i * 200, data: raw.subarray(i * W * H * 3, (i + 1) * W * H * 3) } as Frame);
}
const models = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), liveLabels: ['person', 'pistol', 'knife'] });
let embeddings = 0;
const embed = models.embedFace.bind(models);
models.embedFace = (img, face) => {
  embeddings++;
  return embed(img, face);
};
const motion = { motion: true, boxes: [[0, 0, W, H] as [number, number, number, number]], changed: 1 };
const sides = [1, 3].map((reembed) => ({ reembed, runs: 0, strangers: 0 }));

function pass(side: (typeof sides)[number]) {
  return async () => {
    const analyzer = new FrameAnalyzer({
      analyzers: ANALYZERS,
      models,
      matchFace: () => null,
      references: () => [],
      config: analyzersSchema.parse({ faces: { reembed_frames: side.reembed } }),
      cameras: { cam: cameraAnalyzersSchema.parse({}) },
      now: () => 0,
      logger: silentLogger(),
    } as ConstructorParameters<typeof FrameAnalyzer>[0]);
    const before = embeddings;
    let strangers = 0;
    for (const frame of frames) strangers += (await analyzer.analyze(frame, motion)).filter((d) => d.kind === 'face' && d.sub_label === null).length;
    side.runs = (embeddings - before) / frames.length;
    side.strangers = strangers;
  };
}

const [a, b] = await timePaired(pass(sides[0]), pass(sides[1]), passes, 1, passes);
for (const [i, t] of [a, b].entries()) {
  const s = sides[i];
  console.log(`reembed_frames ${s.reembed}: ${(median(t) / frames.length).toFixed(1)} ms a frame, FaceRes ${s.runs.toFixed(2)} runs a frame, ${s.strangers} stranger events`);
}
console.log(`${frames.length} frames, ${passes} passes a side in turns: ratio ${(median(b) / median(a)).toFixed(3)}`);
await models.close();
