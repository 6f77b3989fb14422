/**
 * The full-frame part of the benchmark alone, without Human: `node --import tsx test/bench/frame.ts [runs]`.
 * Prints the median of `runs` analyses (objects + faces + pose) of the 1280-wide sample photo.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { silentLogger } from '../../src/log.js';
import { analyzeImage } from '../../src/models/analyze-image.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { rgbImage } from '../../src/vision/image.js';
import { median, time } from './timing.js';

const require = createRequire(import.meta.url);
const runs = Number(process.argv[2] ?? 20);
const photo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
const { data, info } = await sharp(photo).resize({ width: 1280 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const img = rgbImage(info.width, info.height, new Uint8Array(data));
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
const families = ['objects', 'faces', 'pose'] as const;
const found = await analyzeImage(detector, img, { file: 'bench', families, embeddings: true });
const t = await time(() => analyzeImage(detector, img, { file: 'bench', families, embeddings: true }), runs, 3);
await detector.close();
const sorted = [...t].sort((a, b) => a - b);
console.log(
  `full frame ${info.width}×${info.height}: ${found.objects.length} objects, ${found.faces.length} faces, ${found.poses.length} poses; median ${median(t).toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms`,
);
