/**
 * Body boxes: how well a person a face gave is boxed, extrapolated from the face (three face widths
 * by 7.5 face heights) and from the body its pose found (person/body-box.ts), on the fixture photos.
 * Persons as live analysis finds them (objects, faces, persons from faces); poses along the live
 * path (findPoses: each person's crop; every person, not only analyzers.pose.max_people). Against
 * the body's keypoint box (keypoints at or above analyzers.pose.min_keypoint_score): IoU, and the
 * share of it the box holds. With --draw <dir>, each photo is written with the boxes drawn: face
 * orange, extrapolated green, body blue, keypoints purple.
 * Run: npx tsx test/bench/body-boxes.ts [--draw /tmp/bodies] [photo…] (default: group-1, group-6)
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { bodiesOfFaces, withBodyBoxes } from '../../src/analyzers/person/body-box.js';
import { findPersons, surePersons } from '../../src/analyzers/person/persons.js';
import { findPoses } from '../../src/analyzers/pose/find-poses.js';
import { isPresent } from '../../src/analyzers/pose/pose.js';
import { silentLogger } from '../../src/log.js';
import type { Keypoint } from '../../src/models/detection.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { loadImage } from '../../src/vision/image.js';
import { boxArea, iou, type Box } from '../../src/vision/iou.js';
import { PEOPLE_TRUTH, tallyPersons } from '../helpers/fixture-people.js';
import { FIXTURES } from '../registry/probe-faces.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { draw: { type: 'string' } } });
const photos = positionals.length > 0 ? positionals : ['people/group-1.jpg', 'people/group-6.jpg'];
const config = analyzersSchema.parse({});
const minScore = config.pose.min_keypoint_score;
const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });

const held = (a: Box, b: Box) => {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? (w * h) / boxArea(a) : 0;
};
const keypointBox = (kps: readonly Keypoint[]): Box => {
  const seen = kps.filter((k) => k.score >= minScore);
  const xs = seen.map((k) => k.x);
  const ys = seen.map((k) => k.y);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.NaN);
const f2 = (x: number) => x.toFixed(2);

console.log('| photo | persons found (extrapolated → body boxes) | given by a face | body found | IoU extrapolated | IoU body | keypoint box held: extrapolated | body |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const file of photos) {
  const img = await loadImage(join(FIXTURES, file));
  const objects = await detector.detectObjects(img);
  const faces = await detector.detectFaces(img, { people: surePersons(objects, config.person.min_score).map((o) => o.box) });
  const persons = findPersons(objects, faces, config.person, img.width, img.height);
  const poses = (
    await findPoses(
      detector,
      img,
      persons.map((p) => p.box),
    )
  ).filter((p) => isPresent(p, config.pose));
  const bodies = withBodyBoxes(persons, poses, { minScore, width: img.width, height: img.height });
  const rows = [...bodiesOfFaces(persons, poses, minScore)].map(([person, pose]) => ({
    before: persons[person].box,
    after: bodies[person].box,
    keypoints: keypointBox(poses[pose].keypoints),
  }));
  const truth = PEOPLE_TRUTH[file];
  const tally = (boxes: Box[]) => {
    const t = tallyPersons(boxes, truth);
    return `${t.found}/${truth.heads.length}${t.duplicates ? `, ${t.duplicates} dup` : ''}${t.false ? `, ${t.false} false` : ''}`;
  };
  const given = persons.filter((p) => p.from === 'face').length;
  console.log(
    `| ${basename(file)} | ${tally(persons.map((p) => p.box))} → ${tally(bodies.map((p) => p.box))} | ${given} | ${rows.length} | ${f2(mean(rows.map((r) => iou(r.before, r.keypoints))))} | ${f2(mean(rows.map((r) => iou(r.after, r.keypoints))))} | ${f2(mean(rows.map((r) => held(r.keypoints, r.before))))} | ${f2(mean(rows.map((r) => held(r.keypoints, r.after))))} |`,
  );
  for (const r of rows) {
    console.log(
      `|   | extrapolated [${r.before.map(Math.round).join(', ')}] body [${r.after.map(Math.round).join(', ')}] | | | ${f2(iou(r.before, r.keypoints))} | ${f2(iou(r.after, r.keypoints))} | ${f2(held(r.keypoints, r.before))} | ${f2(held(r.keypoints, r.after))} |`,
    );
  }
  if (values.draw) {
    mkdirSync(values.draw, { recursive: true });
    const rect = (b: Box, colour: string, dash = '') =>
      `<rect x="${b[0]}" y="${b[1]}" width="${b[2] - b[0]}" height="${b[3] - b[1]}" fill="none" stroke="${colour}" stroke-width="5" ${dash ? `stroke-dasharray="${dash}"` : ''}/>`;
    const svg = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${img.width}" height="${img.height}">`,
      ...persons.filter((p) => p.from === 'objects').map((p) => rect(p.box, '#888', '8 8')),
      ...persons.filter((p) => p.face).map((p) => rect(p.face as Box, '#f59f00')),
      ...persons.filter((p) => p.from === 'face').map((p) => rect(p.box, '#2f9e44', '20 10')),
      ...bodies.filter((p) => p.from === 'body').map((p) => rect(p.box, '#1c7ed6')),
      ...poses.flatMap((p) => p.keypoints.filter((k) => k.score >= minScore).map((k) => `<circle cx="${k.x}" cy="${k.y}" r="6" fill="#ae3ec9"/>`)),
      '</svg>',
    ].join('');
    const out = join(values.draw, basename(file));
    await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } })
      .composite([{ input: Buffer.from(svg) }])
      .jpeg({ quality: 80 })
      .toFile(out);
    console.log(`  drawn: ${out}`);
  }
}
await detector.close();
