/**
 * Names given on the fixture clip (short_hamilton_clip.mp4, 2 fps, whole frames), before (threshold
 * 0.56, best score, every frame on its own) and after (calibrated threshold, margin, agreeing samples,
 * a name held over analyzers.faces.confirm_frames frames of one track), every fixtures/faces/known
 * photo enrolled. The cooldown is 0, so every frame's faces count. Run: npx tsx test/bench/clip-names.ts
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { FaceAnalyzer } from '../../src/analyzers/faces/faces.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { decide, type DecisionRules } from '../../src/registry/decision.js';
import { FaceIndex } from '../../src/registry/face-index.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { loadImage, rgbImage } from '../../src/vision/image.js';
import { FACES, FIXTURES } from '../registry/probe-faces.js';

const [W, H, FPS] = [640, 360, 2];
const out = spawnSync(findFfmpeg(), ['-v', 'error', '-i', join(FIXTURES, 'video', 'short_hamilton_clip.mp4'), '-vf', `fps=${FPS}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
  maxBuffer: 1 << 30,
});
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['faces'] });
const index = new FaceIndex(detector.embeddingDimensions ?? 1024);
const names: string[] = [];
for (const name of readdirSync(join(FACES, 'known')).sort()) {
  names.push(name);
  for (const f of readdirSync(join(FACES, 'known', name))) {
    const img = await loadImage(join(FACES, 'known', name, f));
    const [face] = (await detector.detectFaces(img)).sort((a, b) => b.score - a.score);
    if (face) index.add(index.count, names.length - 1, await detector.embedFace(img, face));
  }
}
const d = registryConfigSchema.parse({});
const runs: { label: string; rules: DecisionRules; confirm: number }[] = [
  { label: 'before (0.56, one number, every frame)', rules: { threshold: 0.56, margin: 0, minAgreeing: 1 }, confirm: 1 },
  { label: `threshold ${d.threshold} only`, rules: { threshold: d.threshold, margin: 0, minAgreeing: 1 }, confirm: 1 },
  {
    label: 'after (calibrated defaults)',
    rules: { threshold: d.threshold, margin: d.margin, minAgreeing: d.min_agreeing },
    confirm: analyzersSchema.parse({}).faces.confirm_frames,
  },
];
for (const run of runs) {
  const match = (e: Float32Array) => {
    const v = decide(index.ranked(e, run.rules.threshold), run.rules);
    return v.name === 'named' ? { name: names[v.best.personId], similarity: v.best.similarity } : null;
  };
  const analyzer = new FaceAnalyzer(detector, match, { ...analyzersSchema.parse({}).faces, cooldown: 0, confirm_frames: run.confirm });
  const counts = new Map<string, number[]>();
  const size = W * H * 3;
  for (let i = 0; (i + 1) * size <= out.stdout.length; i++) {
    const img = rgbImage(W, H, new Uint8Array(out.stdout.subarray(i * size, (i + 1) * size)));
    for (const f of await analyzer.analyze(img, [], i * (1000 / FPS))) {
      const key = f.sub_label ?? 'unknown';
      counts.set(key, [...(counts.get(key) ?? []), i / FPS]);
    }
  }
  console.log(`${run.label}: ${[...counts].map(([k, t]) => `${k} ${t.length} (t ${t[0]}–${t[t.length - 1]} s)`).join(', ')}`);
}
await detector.close();
