/**
 * Wrong and missed names on the probe photos, before (threshold 0.56, best score only) and after
 * (the calibrated defaults: threshold, margin, agreeing samples), with the people of
 * test/registry/probe-faces.ts ENROLLED. Run: npx tsx test/bench/probe-names.ts
 */
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { decide, type DecisionRules } from '../../src/registry/decision.js';
import { FaceIndex } from '../../src/registry/face-index.js';
import { loadImage } from '../../src/vision/image.js';
import { ENROLLED, FACES, PROBE_PEOPLE } from '../registry/probe-faces.js';

const defaults = registryConfigSchema.parse({});
const SETTINGS: Record<string, DecisionRules> = {
  before: { threshold: 0.56, margin: 0, minAgreeing: 1 },
  after: { threshold: defaults.threshold, margin: defaults.margin, minAgreeing: defaults.min_agreeing },
};
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['faces'] });
const index = new FaceIndex(detector.embeddingDimensions ?? 1024);
const names = Object.keys(ENROLLED);
let id = 0;
for (const [p, name] of names.entries()) {
  for (const f of ENROLLED[name]) {
    const img = await loadImage(join(FACES, 'known', name, f));
    const [face] = (await detector.detectFaces(img)).sort((a, b) => b.score - a.score);
    index.add(id++, p, await detector.embedFace(img, face));
  }
}
const tally = { before: { wrong: 0, missed: 0 }, after: { wrong: 0, missed: 0 } };
console.log('| probe face | who | before | after |\n|---|---|---|---|');
for (const [file, people] of Object.entries(PROBE_PEOPLE)) {
  const img = await loadImage(join(FACES, 'probe', file));
  const faces = (await detector.detectFaces(img)).sort((a, b) => a.box[0] - b.box[0]);
  for (const [i, face] of faces.entries()) {
    const e = await detector.embedFace(img, face);
    const truth = people[i] ?? '?';
    const cells = (['before', 'after'] as const).map((k) => {
      const v = decide(index.ranked(e, SETTINGS[k].threshold), SETTINGS[k]);
      const got = v.name === 'named' ? names[v.best.personId] : null;
      if (got !== null && got !== truth) tally[k].wrong++;
      if (got === null && names.includes(truth)) tally[k].missed++;
      return `${got ?? 'unknown'} (${v.best ? `${v.best.similarity.toFixed(3)} ${names[v.best.personId]}` : '-'}${v.name === 'named' ? '' : `, ${v.name}`})`;
    });
    console.log(`| ${file} [${i}] | ${truth} | ${cells.join(' | ')} |`);
  }
}
console.log(`\nbefore: ${tally.before.wrong} wrong, ${tally.before.missed} missed; after: ${tally.after.wrong} wrong, ${tally.after.missed} missed`);
detector.close();
