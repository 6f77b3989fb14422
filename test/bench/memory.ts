/**
 * Where Argus' memory goes with the default models: `node --import tsx test/bench/memory.ts`
 * (run it with MALLOC_ARENA_MAX=2 as the add-on's image does, and without). Prints the process RSS
 * before the models, after loading them, after 20 motion frames of the fixture clip through
 * `analyzeImage` (objects, faces with embeddings, pose) and after three 1280-wide photos.
 */
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { analyzeImage } from '../../src/models/analyze-image.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { clipFrames, FIXTURES, photo } from './int8-inputs.js';

const mb = () => Math.round(process.memoryUsage.rss() / 1e6);
const frames = clipFrames('check').slice(0, 20);
const img = await photo(join(FIXTURES, 'people', 'group-3.jpg'));
const families = ['objects', 'faces', 'pose'] as const;
const start = mb();
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
const loaded = mb();
for (const f of frames) await analyzeImage(detector, f.img, { file: '', families, embeddings: true });
const clip = mb();
for (let i = 0; i < 3; i++) await analyzeImage(detector, img, { file: '', families, embeddings: true });
const photos = mb();
await detector.close();
console.log(
  `RSS MB (MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset'}): before the models ${start}; models loaded ${loaded} (+${loaded - start}); after 20 clip frames ${clip} (+${clip - loaded}); after 3 photos ${photos} (+${photos - clip}); models' share ${photos - start}`,
);
