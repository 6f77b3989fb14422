/**
 * What counting people as live analysis does costs `argus analyze`: analyzeImage (objects, faces
 * with embeddings, pose) before (the code at `--base`, a checkout of an earlier commit: pose on the
 * object detector's boxes, alongside faces) and after (this checkout: pose on the persons, which
 * wait for the faces), the same detector, timed in alternating blocks in the same run.
 * Run: git worktree add ../argus-base <commit> && npx tsx test/bench/analyze-persons.ts --base ../argus-base [--runs 12]
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../src/log.js';
import { analyzeImage } from '../../src/models/analyze-image.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { sampleVideo } from '../../src/sources/video-frames.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';
import { FIXTURES } from '../registry/probe-faces.js';
import { median, timePaired } from './timing.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '12' }, base: { type: 'string' } } });
if (!values.base) throw new Error('--base <dir>: a checkout of the commit to compare with (git worktree add ../argus-base <commit>)');
const runs = Number(values.runs);
const base = ((await import(join(resolve(values.base, 'src'), 'models/analyze-image.ts'))) as typeof import('../../src/models/analyze-image.js')).analyzeImage;
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
const photos: Array<[string, RgbImage]> = [];
for (const f of ['people/group-1.jpg', 'people/group-6.jpg']) photos.push([f, await loadImage(join(FIXTURES, f))]);
let i = 0;
for await (const img of sampleVideo(join(FIXTURES, 'video/short_hamilton_clip.mp4'), 2)) if (i++ === 2) photos.push(['Hamilton clip at 4 s', img]);
const opts = { file: 'bench', families: ['objects', 'faces', 'pose'] as const, embeddings: true };

console.log('| image | ms before | ms after | ratio |');
console.log('|---|---:|---:|---:|');
for (const [name, img] of photos) {
  const [a, b] = await timePaired(
    () => base(detector, img, { ...opts, families: [...opts.families] }),
    () => analyzeImage(detector, img, { ...opts, families: [...opts.families] }),
    runs,
    1,
    6,
  );
  console.log(`| ${name} | ${median(a).toFixed(0)} | ${median(b).toFixed(0)} | ${(median(b) / median(a)).toFixed(2)} |`);
}
await detector.close();
