/**
 * Recognition figures for docs/faces.md: enrol lin_manuel_miranda and barack_obama from
 * fixtures/faces/known, then name every probe face, scoring people by their best sample (max)
 * and by the mean over their samples; then every pair of labelled faces against thresholds.
 * Run: npx tsx test/bench/registry-recognition.ts [faceres|mobilefacenet]
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { cosineSimilarity } from '../../src/models/face-embedder.js';
import { FaceIndex } from '../../src/registry/face-index.js';
import { loadImage } from '../../src/vision/image.js';
import { ENROLLED, FACES, PROBE_PEOPLE } from '../registry/probe-faces.js';

const ENROL = ENROLLED;
const TRUTH = PROBE_PEOPLE;

if (!existsSync(FACES)) {
  console.log(`skipped: ${FACES} is absent`);
  process.exit(0);
}
const embedder = (process.argv[2] ?? 'faceres') as 'faceres' | 'mobilefacenet';
const config = defaultModelsConfig();
config.faces.embedder = embedder;
const threshold = registryConfigSchema.parse({}).threshold;
const detector = await Detector.create({ config, logger: silentLogger(), families: ['faces'] });
const index = new FaceIndex(detector.embeddingDimensions!);
const names: string[] = [];
let id = 0;
for (const [name, files] of Object.entries(ENROL)) {
  names.push(name);
  for (const f of files) {
    const img = await loadImage(join(FACES, 'known', name, f));
    index.add(id++, names.length - 1, await detector.embedFace(img, (await detector.detectFaces(img))[0]));
  }
}
const wrong = { max: 0, mean: 0 };
/** The weakest score of a face against its own (enrolled) person, the strongest against anyone else. */
const lowestRight = { max: Infinity, mean: Infinity };
const highestWrong = { max: -Infinity, mean: -Infinity };
console.log(
  `${embedder}, threshold ${threshold}; enrolled: ${Object.entries(ENROL)
    .map(([n, f]) => `${n} (${f.join(', ')})`)
    .join(', ')}\n`,
);
console.log('| probe face | who it is | max: named (similarity) | mean: named (similarity) |');
console.log('|---|---|---|---|');
for (const [file, people] of Object.entries(TRUTH)) {
  const img = await loadImage(join(FACES, 'probe', file));
  const faces = (await detector.detectFaces(img)).sort((a, b) => a.box[0] - b.box[0]);
  for (let i = 0; i < faces.length; i++) {
    const e = await detector.embedFace(img, faces[i]);
    const truth = people[i] ?? '?';
    const cells = (['max', 'mean'] as const).map((strategy) => {
      for (let p = 0; p < names.length; p++) {
        // Score against person p alone by leaving out the other (two people enrolled).
        const score = index.best(e, strategy, 1 - p)!.similarity;
        if (names[p] === truth) lowestRight[strategy] = Math.min(lowestRight[strategy], score);
        else highestWrong[strategy] = Math.max(highestWrong[strategy], score);
      }
      const best = index.best(e, strategy)!;
      const named = best.similarity >= threshold ? names[best.personId] : null;
      const expected = names.includes(truth) ? truth : null;
      if (named !== expected) wrong[strategy]++;
      return `${named ?? 'unknown'} (${best.similarity.toFixed(3)} ${names[best.personId]})${named !== expected ? ' **wrong**' : ''}`;
    });
    console.log(`| ${file}${faces.length > 1 ? ` [${i}]` : ''} | ${truth} | ${cells.join(' | ')} |`);
  }
}
console.log(`\nwrong: max ${wrong.max}, mean ${wrong.mean}`);
for (const s of ['max', 'mean'] as const) {
  console.log(`${s}: lowest right ${lowestRight[s].toFixed(3)}, highest wrong ${highestWrong[s].toFixed(3)}, margin ${(lowestRight[s] - highestWrong[s]).toFixed(3)}`);
}

// Every labelled face (known photos and probes, unaltered), every pair.
const faces: { who: string; what: string; e: Float32Array }[] = [];
for (const who of readdirSync(join(FACES, 'known'))) {
  for (const f of readdirSync(join(FACES, 'known', who))) {
    const img = await loadImage(join(FACES, 'known', who, f));
    faces.push({ who, what: `known/${who}/${f}`, e: await detector.embedFace(img, (await detector.detectFaces(img))[0]) });
  }
}
for (const [file, people] of Object.entries(TRUTH)) {
  const img = await loadImage(join(FACES, 'probe', file));
  const found = (await detector.detectFaces(img)).sort((a, b) => a.box[0] - b.box[0]);
  for (let i = 0; i < found.length; i++) faces.push({ who: people[i], what: `${file}[${i}]`, e: await detector.embedFace(img, found[i]) });
}
const same: [number, string][] = [];
const different: [number, string][] = [];
for (let i = 0; i < faces.length; i++) {
  for (let j = i + 1; j < faces.length; j++) {
    (faces[i].who === faces[j].who ? same : different).push([cosineSimilarity(faces[i].e, faces[j].e), `${faces[i].what} ~ ${faces[j].what}`]);
  }
}
same.sort((a, b) => a[0] - b[0]);
different.sort((a, b) => b[0] - a[0]);
console.log(`\n${faces.length} labelled faces: ${same.length} same-person pairs, ${different.length} different-person pairs`);
console.log(
  `lowest same-person: ${same
    .slice(0, 3)
    .map(([v, n]) => `${v.toFixed(3)} ${n}`)
    .join('; ')}`,
);
console.log(
  `highest different-person: ${different
    .slice(0, 3)
    .map(([v, n]) => `${v.toFixed(3)} ${n}`)
    .join('; ')}`,
);
console.log('\n| threshold | same-person pairs accepted | different-person pairs accepted |\n|---|---|---|');
for (const t of [0.5, 0.55, 0.56, 0.58, 0.6, 0.65, 0.7]) {
  const pct = (list: [number, string][]) => `${((100 * list.filter(([v]) => v >= t).length) / list.length).toFixed(1)} %`;
  console.log(`| ${t} | ${pct(same)} | ${pct(different)} |`);
}
await detector.close();
