/**
 * Face threshold calibration for docs/faces.md: npm run calibrate:faces
 *
 * Faces of ../shared/datasets/faces-lfw12 and the labelled fixture faces (test/bench/calibration-set.ts,
 * embeddings cached in .cache/). Split by person: the calibration split (six LFW people, every other
 * one in alphabetical order) is where the threshold and the decision rules are chosen; the test split
 * (the other six LFW people and every fixture person) only reports what they cost. The threshold is
 * the lowest (on a 0.01 grid) that accepts at most 0.1 % of different-person pairs of the calibration split.
 */
import { FACERES_MATCH_THRESHOLD } from '../../src/models/face-embedder.js';
import { calibrationFaces, type CalibrationFace } from './calibration-set.js';
import { simulateNames, type NameCounts } from './name-simulation.js';
import { auc, pairScores, rateAtOrAbove, thresholdForFar } from './roc.js';

export const TARGET_FAR = 0.001;

/** The calibration split's people: every other LFW person, alphabetically; fixture people are never in it. */
export function inCalibrationSplit(face: { source: string; person: string }, lfwPeople: readonly string[]): boolean {
  return face.source.startsWith('lfw/') && lfwPeople.indexOf(face.person) % 2 === 0;
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)} %`;
const counts = (c: NameCounts) =>
  `${c.wrongKnown + c.wrongStrangers} wrong (${c.wrongKnown} of ${c.known} enrolled, ${c.wrongStrangers} of ${c.strangers} strangers), ${c.missed} missed`;

async function main(): Promise<void> {
  const { faces, missed } = await calibrationFaces((d, a) => d % 200 === 0 && console.error(`embedded ${d} of ${a} photos`));
  const lfwPeople = [...new Set(faces.filter((f) => f.source.startsWith('lfw/')).map((f) => f.person))].sort();
  const calib = faces.filter((f) => inCalibrationSplit(f, lfwPeople));
  const test = faces.filter((f) => !inCalibrationSplit(f, lfwPeople));
  const people = (s: CalibrationFace[]) => [...new Set(s.map((f) => f.person))].join(', ');
  console.log(`${faces.length} faces; no face found in ${missed.length} photos (${missed.join(', ')})`);
  console.log(`calibration split: ${calib.length} faces of ${people(calib)}`);
  console.log(`test split: ${test.length} faces of ${people(test)}\n`);

  const c = pairScores(calib);
  const t = pairScores(test);
  const chosen = thresholdForFar(c.different, TARGET_FAR);
  console.log(`AUC: calibration ${auc(c.same, c.different).toFixed(4)}, test ${auc(t.same, t.different).toFixed(4)}`);
  console.log(`pairs: calibration ${c.same.length} same / ${c.different.length} different; test ${t.same.length} / ${t.different.length}`);
  console.log(`threshold for FAR <= ${pct(TARGET_FAR)} on the calibration split: ${chosen}\n`);
  console.log('| threshold | calibration: TAR | calibration: FAR | test: TAR | test: FAR |');
  console.log('|---|---|---|---|---|');
  for (const th of [...new Set([0.5, 0.55, FACERES_MATCH_THRESHOLD, 0.6, 0.62, 0.64, chosen, 0.66, 0.68, 0.7])].sort()) {
    const mark = th === chosen ? '**' : '';
    const row = [rateAtOrAbove(c.same, th), rateAtOrAbove(c.different, th), rateAtOrAbove(t.same, th), rateAtOrAbove(t.different, th)].map(pct);
    console.log(`| ${mark}${th.toFixed(2)}${mark} | ${row.join(' | ')} |`);
  }

  // Decision rules: a grid on the calibration split, scored so one wrong name costs as much as
  // ten missed ones (a stranger let in against a person asked to look at the camera again).
  const grid: { margin: number; minAgreeing: number; maxYaw: number; cost: number; counts: NameCounts }[] = [];
  for (const margin of [0, 0.02, 0.04, 0.06, 0.08, 0.1]) {
    for (const minAgreeing of [1, 2, 3]) {
      for (const maxYaw of [90, 45, 35, 25]) {
        const n = simulateNames(calib, { threshold: chosen, margin, minAgreeing, maxYaw });
        grid.push({ margin, minAgreeing, maxYaw, cost: 10 * (n.wrongKnown + n.wrongStrangers) + n.missed, counts: n });
      }
    }
  }
  grid.sort((a, b) => a.cost - b.cost);
  const best = grid[0];
  console.log(`\nrules chosen on the calibration split: margin ${best.margin}, min agreeing ${best.minAgreeing}, max yaw ${best.maxYaw}`);
  const settings = [
    { label: `before: threshold ${FACERES_MATCH_THRESHOLD}, best score only`, threshold: FACERES_MATCH_THRESHOLD, margin: 0, minAgreeing: 1, maxYaw: 90 },
    { label: `threshold ${chosen}, best score only`, threshold: chosen, margin: 0, minAgreeing: 1, maxYaw: 90 },
    { label: `after: threshold ${chosen} + rules`, threshold: chosen, margin: best.margin, minAgreeing: best.minAgreeing, maxYaw: best.maxYaw },
  ];
  console.log('\n| names, 3 samples enrolled per person | calibration split | test split |');
  console.log('|---|---|---|');
  for (const s of settings) console.log(`| ${s.label} | ${counts(simulateNames(calib, s))} | ${counts(simulateNames(test, s))} |`);
  console.log('\nbest ten of the grid (calibration split):');
  for (const g of grid.slice(0, 10)) console.log(`margin ${g.margin} agreeing ${g.minAgreeing} yaw ${g.maxYaw}: ${counts(g.counts)}`);
}

await main();
