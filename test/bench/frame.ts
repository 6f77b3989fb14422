/**
 * The full-frame part of the benchmark alone, without Human: `node --import tsx test/bench/frame.ts [runs] [--input frame]`.
 * Prints the median of `runs` analyses (objects + faces + pose) of the 1280-wide sample photo.
 * With `--input frame`, the default (`models.objects.input: square`) and `frame` are timed in
 * alternating blocks in the same run, and their ratio printed. With `--live`, the frame as live
 * analysis runs it with the default analyzers (CenterNet computing person, pistol and knife alone:
 * keep-classes.ts) against every class, the same way.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { silentLogger } from '../../src/log.js';
import { analyzeImage } from '../../src/models/analyze-image.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { rgbImage } from '../../src/vision/image.js';
import { median, time, timePaired } from './timing.js';

const require = createRequire(import.meta.url);
const runs = Number(process.argv[2] ?? 20);
const photo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
const { data, info } = await sharp(photo).resize({ width: 1280 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const img = rgbImage(info.width, info.height, new Uint8Array(data));
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
const families = ['objects', 'faces', 'pose'] as const;
const analyze =
  (d: Detector, scope: 'all' | 'live' = 'all') =>
  () =>
    analyzeImage(d, img, { file: 'bench', families, embeddings: true, scope });
const found = await analyze(detector)();
const summary = (what: string, f: Awaited<ReturnType<typeof analyzeImage>>, t: number[]) => {
  const sorted = [...t].sort((a, b) => a - b);
  return `${what} ${info.width}×${info.height}: ${f.objects.length} objects, ${f.faces.length} faces, ${f.poses.length} poses; median ${median(t).toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms`;
};
if (process.argv.includes('--live')) {
  const live = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), liveLabels: ['person', 'pistol', 'knife'] });
  const foundLive = await analyze(live, 'live')();
  const [a, b] = await timePaired(analyze(detector), analyze(live, 'live'), runs, 2, 5);
  await live.close();
  console.log(summary('full frame, every class', found, a));
  console.log(summary('full frame, live classes', foundLive, b));
  console.log(`ratio live ÷ every class ${(median(b) / median(a)).toFixed(3)}`);
} else if (process.argv.includes('--input')) {
  const config = defaultModelsConfig();
  const framed = await Detector.create({ config: { ...config, objects: { ...config.objects, input: 'frame' } }, logger: silentLogger() });
  const foundFramed = await analyze(framed)();
  const [a, b] = await timePaired(analyze(detector), analyze(framed), runs, 2, 5);
  await framed.close();
  console.log(summary('full frame, objects.input square', found, a));
  console.log(summary('full frame, objects.input frame', foundFramed, b));
  console.log(`ratio frame ÷ square ${(median(b) / median(a)).toFixed(3)}`);
} else {
  console.log(summary('full frame', found, await time(analyze(detector), runs, 3)));
}
await detector.close();
