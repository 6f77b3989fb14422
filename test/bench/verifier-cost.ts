/**
 * What the weapon verifier (docs/weapons.md, "The verifier") costs on camera frames: the object
 * detector as Argus runs it (session pool, default min_score), with `models.objects.verify` on and
 * off, each frame timed in both, the order flipped every frame (this machine's speed drifts).
 *   npx tsx test/bench/verifier-cost.ts
 * Frames: the Hamilton clip and the demo clip at 5 fps (640 wide), as a camera's (`live`: verified
 * from VERIFY_FLOOR), and every people fixture photo, as an upload (`all`: from PHOTO_VERIFY_FLOOR).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoClip } from '../../src/demo/demo-clip.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import type { DetectScope } from '../../src/models/detection.js';
import { modelsSchema } from '../../src/models/model-config.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';
import { median } from './timing.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');

function clip(path: string): RgbImage[] {
  const out = spawnSync(findFfmpeg(), ['-v', 'error', '-i', path, '-vf', 'fps=5,scale=640:-2', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  const info = spawnSync(findFfmpeg(), ['-i', path, '-vf', 'scale=640:-2', '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' });
  const h = Number(/640x(\d+)/.exec(info.stderr)?.[1] ?? 360);
  const size = 640 * h * 3;
  return Array.from({ length: Math.floor(out.stdout.length / size) }, (_, i) => ({ width: 640, height: h, data: new Uint8Array(out.stdout.subarray(i * size, (i + 1) * size)) }));
}

let verifierRuns = 0;
const verifyMs: number[] = [];
const timings = {
  record: (name: string, ms: number) => {
    if (!name.includes('/verify-')) return;
    verifierRuns++;
    verifyMs.push(ms);
  },
};
const on = await Detector.create({ config: modelsSchema.parse({}), logger: silentLogger(), families: ['objects'], timings });
const off = await Detector.create({ config: modelsSchema.parse({ objects: { verify: false } }), logger: silentLogger(), families: ['objects'] });
const tmp = mkdtempSync(join(tmpdir(), 'argus-demo-'));
const sources: [string, RgbImage[], DetectScope][] = [
  ['Hamilton clip', clip(join(FIXTURES, 'video', 'short_hamilton_clip.mp4')), 'live'],
  ['demo clip', clip(await ensureDemoClip(tmp, findFfmpeg())), 'live'],
  ['people photos', await Promise.all(readdirSync(join(FIXTURES, 'people')).map((f) => loadImage(join(FIXTURES, 'people', f)))), 'all'],
];
rmSync(tmp, { recursive: true, force: true });
for (const img of sources[0][1].slice(0, 5)) await Promise.all([on.detectObjects(img), off.detectObjects(img)]); // warm-up
console.log('| frames (scope) | count | with a verified candidate | verifier runs a frame | median ms, verify on | off | ratio of means |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [name, frames, scope] of sources) {
  const tOn: number[] = [];
  const tOff: number[] = [];
  let withRuns = 0;
  const before = verifierRuns;
  for (const [i, img] of frames.entries()) {
    for (const which of i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
      const runsBefore = verifierRuns;
      const t0 = performance.now();
      await (which === 'on' ? on : off).detectObjects(img, scope);
      (which === 'on' ? tOn : tOff).push(performance.now() - t0);
      if (which === 'on' && verifierRuns > runsBefore) withRuns++;
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `| ${name} (${scope}) | ${frames.length} | ${withRuns} | ${((verifierRuns - before) / frames.length).toFixed(2)} | ${median(tOn).toFixed(1)} | ${median(tOff).toFixed(1)} | ${(mean(tOn) / mean(tOff)).toFixed(3)} |`,
  );
}
console.log(`\nthe verifier's own run in its worker (onnxruntime): median ${median(verifyMs).toFixed(1)} ms over ${verifyMs.length} runs`);
await on.close();
await off.close();
