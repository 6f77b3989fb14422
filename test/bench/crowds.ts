/**
 * Crowds: faces and persons on the fixture photos counted by eye (test/helpers/fixture-people.ts),
 * before (the code at `--base`, a checkout of an earlier commit: persons are the object detector's
 * above analyzers.person.min_score) and after (this checkout: faces checked and merged, persons that
 * faces confirm or give), and what it costs: ms a photo, and ms a frame of the Hamilton clip
 * (640×360, 2 fps) along the live path (before: faces in each person's crop), timed in alternating
 * blocks in the same run.
 * Run: git worktree add ../argus-base <commit> && npx tsx test/bench/crowds.ts --base ../argus-base [--runs 6]
 * (the base needs models/*.onnx too: copy them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { detectInRegions } from '../../src/analyzers/motion-regions.js';
import { personsWithFaces } from '../../src/analyzers/person/from-faces.js';
import { silentLogger } from '../../src/log.js';
import type { ObjectDetection } from '../../src/models/detection.js';
import { gridSquares } from '../../src/models/blazeface.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { loadImage, rgbImage, type RgbImage } from '../../src/vision/image.js';
import type { Box } from '../../src/vision/iou.js';
import { PEOPLE_TRUTH, tallyFaces, tallyPersons, type Tally } from '../helpers/fixture-people.js';
import { FIXTURES } from '../registry/probe-faces.js';
import { median, timePaired } from './timing.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '6' }, base: { type: 'string' } } });
if (!values.base) throw new Error('--base <dir>: a checkout of the commit to compare with (git worktree add ../argus-base <commit>)');
const runs = Number(values.runs);
const MIN_SCORE = analyzersSchema.parse({}).person.min_score;
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
const baseSrc = resolve(values.base, 'src');
const Base = {
  Detector: ((await import(join(baseSrc, 'models/detector.ts'))) as typeof import('../../src/models/detector.js')).Detector,
  FaceAnalyzer: ((await import(join(baseSrc, 'analyzers/faces/faces.ts'))) as typeof import('../../src/analyzers/faces/faces.js')).FaceAnalyzer,
};
const base = await Base.Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
const sure = (objects: ObjectDetection[]) => objects.filter((o) => o.label === 'person' && o.score >= MIN_SCORE);

async function before(img: RgbImage) {
  const persons = sure(await base.detectObjects(img));
  const faces = await base.detectFaces(img, { people: persons.map((p) => p.box) });
  return { faces, persons };
}
async function after(img: RgbImage) {
  const objects = await detector.detectObjects(img);
  const faces = await detector.detectFaces(img, { people: sure(objects).map((p) => p.box) });
  return { faces, persons: personsWithFaces(objects, faces, { minScore: MIN_SCORE, width: img.width, height: img.height }) };
}

const t = (x: Tally) => `${x.found} found, ${x.missed} missed, ${x.duplicates} dup, ${x.false} false`;
console.log('| photo | faces by eye | faces before | faces after | persons by eye | persons before | persons after | ms before | ms after | ratio |');
console.log('|---|---:|---|---|---:|---|---|---:|---:|---:|');
const sum = { heads: 0, before: 0, after: 0 };
for (const [file, truth] of Object.entries(PEOPLE_TRUTH)) {
  const img = await loadImage(join(FIXTURES, file));
  const [b, a] = [await before(img), await after(img)];
  const [pb, pa] = [
    tallyPersons(
      b.persons.map((p) => p.box),
      truth,
    ),
    tallyPersons(
      a.persons.map((p) => p.box),
      truth,
    ),
  ];
  sum.heads += truth.heads.length;
  sum.before += pb.found;
  sum.after += pa.found;
  const [tb, ta] = await timePaired(
    () => before(img),
    () => after(img),
    runs,
    1,
    2,
  );
  console.log(
    `| ${file} | ${truth.faces.length} | ${t(
      tallyFaces(
        b.faces.map((f) => f.box),
        truth,
      ),
    )} | ${t(
      tallyFaces(
        a.faces.map((f) => f.box),
        truth,
      ),
    )} | ${truth.heads.length} | ${t(pb)} | ${t(pa)} | ${median(tb).toFixed(0)} | ${median(ta).toFixed(0)} | ${(median(ta) / median(tb)).toFixed(2)} |`,
  );
}
console.log(`\npersons with a box: before ${sum.before} of ${sum.heads}, after ${sum.after} of ${sum.heads}\n`);

// The other way to more persons, tried and not taken: the object detector on the face tiles' squares as well as the whole frame.
console.log('| photo | object detector, whole frame | whole frame + tiles | ms whole | ms with tiles | ratio |\n|---|---|---|---:|---:|---:|');
for (const file of ['people/group-1.jpg', 'people/group-6.jpg', 'people/stock-group-2.jpg', 'people/background.jpg']) {
  const img = await loadImage(join(FIXTURES, file));
  const squares: Box[] = [[0, 0, img.width, img.height], ...gridSquares(img.width, img.height, 2).map((b): Box => [Math.max(0, b[0]), Math.max(0, b[1]), b[2], b[3]])];
  const tiled = () => detectInRegions(img, squares, (crop) => detector.detectObjects(crop));
  const [whole, withTiles] = [sure(await detector.detectObjects(img)), sure(await tiled())];
  const [tw, tt] = await timePaired(() => detector.detectObjects(img), tiled, runs, 1, 2);
  const truth = PEOPLE_TRUTH[file];
  console.log(
    `| ${file} | ${t(
      tallyPersons(
        whole.map((p) => p.box),
        truth,
      ),
    )} | ${t(
      tallyPersons(
        withTiles.map((p) => p.box),
        truth,
      ),
    )} | ${median(tw).toFixed(0)} | ${median(tt).toFixed(0)} | ${(median(tt) / median(tw)).toFixed(2)} |`,
  );
}
console.log('');

// The live path on the clip: before, faces searched in each person's crop (FaceAnalyzer.findFaces);
// after, the frame's faces once (whole frame, tiles around faceless people, checked), persons from faces.
const [W, H] = [640, 360];
const raw = spawnSync(findFfmpeg(), ['-v', 'error', '-i', join(FIXTURES, 'video', 'short_hamilton_clip.mp4'), '-vf', 'fps=2', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
  maxBuffer: 1 << 30,
}).stdout;
const frames: RgbImage[] = [];
for (let i = 0; (i + 1) * W * H * 3 <= raw.length; i++) frames.push(rgbImage(W, H, new Uint8Array(raw.subarray(i * W * H * 3, (i + 1) * W * H * 3))));
const faces = new Base.FaceAnalyzer(base, () => null, analyzersSchema.parse({}).faces);
let [personsBefore, personsAfter, fromFaces, facesBefore, facesAfter] = [0, 0, 0, 0, 0];
const newPersons: string[] = [];
for (const [i, img] of frames.entries()) {
  const objects = await detector.detectObjects(img);
  const persons = sure(objects);
  facesBefore += (
    await faces.findFaces(
      img,
      sure(await base.detectObjects(img)).map((p) => p.box),
    )
  ).length;
  const found = await detector.detectFaces(img, { people: persons.map((p) => p.box) });
  facesAfter += found.length;
  const now = personsWithFaces(objects, found, { minScore: MIN_SCORE, width: W, height: H });
  personsBefore += persons.length;
  personsAfter += now.length;
  for (const p of now.filter((p) => p.from === 'face' || p.score < MIN_SCORE)) {
    fromFaces++;
    newPersons.push(`${(i / 2).toFixed(1)} s [${p.box.map(Math.round).join(', ')}] ${p.from}`);
  }
}
const clipBefore = async (img: RgbImage) =>
  faces.findFaces(
    img,
    sure(await base.detectObjects(img)).map((p) => p.box),
  );
const clipAfter = async (img: RgbImage) => {
  const objects = await detector.detectObjects(img);
  return personsWithFaces(objects, await detector.detectFaces(img, { people: sure(objects).map((p) => p.box) }), { minScore: MIN_SCORE, width: W, height: H });
};
let k = 0;
const [cb, ca] = await timePaired(
  () => clipBefore(frames[k++ % frames.length]),
  () => clipAfter(frames[k++ % frames.length]),
  frames.length * 2,
  2,
  4,
);
console.log(`Hamilton clip, ${frames.length} frames at 2 fps: person boxes before ${personsBefore}, after ${personsAfter} (${fromFaces} new: ${newPersons.join('; ') || 'none'})`);
console.log(`faces before (person crops) ${facesBefore}, after (frame, checked) ${facesAfter}`);
console.log(`objects + faces + persons a frame: before ${median(cb).toFixed(1)} ms, after ${median(ca).toFixed(1)} ms (×${(median(ca) / median(cb)).toFixed(2)})`);

// What the check costs in real faces on photos nobody tuned on: the weapons data set's people (many small and turned).
const WEAPONS = join(FIXTURES, '..', 'datasets', 'weapons', 'valid', 'images');
if (existsSync(WEAPONS)) {
  let [found, kept] = [0, 0];
  const dropped: string[] = [];
  for (const f of readdirSync(WEAPONS).sort().slice(0, 500)) {
    const img = await loadImage(join(WEAPONS, f));
    const [all, checked] = [await detector.detectFaces(img, { tiles: false, check: false }), await detector.detectFaces(img, { tiles: false })];
    found += all.length;
    kept += checked.length;
    if (checked.length < all.length) dropped.push(f);
  }
  console.log(`\nweapons/valid, first 500 photos: ${found} faces found, ${kept} kept by the check; dropped in: ${dropped.join(', ')}`);
}
await Promise.all([detector.close(), base.close()]);
