/**
 * A frame's per-face and per-person model runs queued at once (what the face and pose analyzers
 * do) against awaited one at a time, in turns, on the 1280-wide sample photo (three faces, three
 * people): FaceRes embeddings, then BlazePose per person box (detector and landmarks).
 * Run: npx tsx test/bench/queued-runs.ts [runs, default 60]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { detectPoseIn, findPoses } from '../../src/analyzers/pose/find-poses.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { rgbImage } from '../../src/vision/image.js';
import { median, timePaired } from './timing.js';

const runs = Number(process.argv[2] ?? 60);
const require = createRequire(import.meta.url);
const photo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
const { data, info } = await sharp(photo).resize({ width: 1280 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const img = rgbImage(info.width, info.height, new Uint8Array(data));
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
const faces = await detector.detectFaces(img);
const persons = (await detector.detectObjects(img)).filter((o) => o.label === 'person').map((o) => o.box);
const report = (what: string, [a, b]: [number[], number[]]) =>
  console.log(`${what}: one at a time ${median(a).toFixed(2)} ms, queued ${median(b).toFixed(2)} ms (${(median(b) / median(a)).toFixed(3)})`);
report(
  `${faces.length} embeddings`,
  await timePaired(
    async () => {
      for (const f of faces) await detector.embedFace(img, f);
    },
    () => Promise.all(faces.map((f) => detector.embedFace(img, f))),
    runs,
    2,
    6,
  ),
);
report(
  `${persons.length} poses`,
  await timePaired(
    async () => {
      for (const p of persons) await detectPoseIn(detector, img, p);
    },
    () => findPoses(detector, img, persons),
    runs,
    2,
    6,
  ),
);
await detector.close();
