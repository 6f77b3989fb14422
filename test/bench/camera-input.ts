/**
 * What `models.objects.input` changes for live analysis: every counted fixture photo
 * (test/helpers/fixture-people.ts) and the Hamilton clip's motion frames (5 fps, in order, one
 * FrameAnalyzer each) run as a camera's frames with the default analyzers, the detector letterboxed
 * `square` and at the frame's aspect (`camera`, the default): persons found, missed, twice and
 * false against the heads counted by eye, skeletons on persons, and faces.
 *   npx tsx test/bench/camera-input.ts
 */
import { analyzersSchema, cameraAnalyzersSchema } from '../../src/analyzers/config.js';
import { FrameAnalyzer } from '../../src/analyzers/frame-analyzer.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import type { Detection } from '../../src/events/analyzed-frame.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import type { MotionResult } from '../../src/motion/motion-detector.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';
import { PEOPLE_TRUTH, tallyPersons } from '../helpers/fixture-people.js';
import { clipFrames } from './int8-inputs.js';

const modes = ['square', 'camera'] as const;
const base = defaultModelsConfig();
const detectors = await Promise.all(modes.map((input) => Detector.create({ config: { ...base, objects: { ...base.objects, input } }, logger: silentLogger() })));

const analyzer = (models: Detector) =>
  new FrameAnalyzer({
    analyzers: ANALYZERS,
    models,
    config: analyzersSchema.parse({}),
    cameras: { cam: cameraAnalyzersSchema.parse({}) },
    matchFace: () => null,
    references: () => [],
    now: () => Date.now(),
    logger: silentLogger(),
  });
const analyze = (a: FrameAnalyzer, img: RgbImage, seq: number, motion: MotionResult) =>
  a.analyze({ camera: 'cam', width: img.width, height: img.height, data: Buffer.from(img.data), time: 1000 + seq * 200, seq }, motion);
const persons = (found: Detection[]) => found.filter((d) => d.kind === 'person');
const skeletons = (found: Detection[]) => persons(found).filter((p) => Array.isArray(p.attributes?.keypoints)).length;

console.log(`| picture | ${modes.map((m) => `${m}: persons found / missed / twice / false, skeletons, faces`).join(' | ')} |`);
console.log(`|---|${modes.map(() => '---').join('|')}|`);
for (const [key, truth] of Object.entries(PEOPLE_TRUTH)) {
  const img = await loadImage(`${import.meta.dirname}/../../../shared/fixtures/${key}`);
  const whole: MotionResult = { motion: true, boxes: [[0, 0, img.width, img.height]], changed: 1 };
  const cells: string[] = [];
  for (const d of detectors) {
    const found = await analyze(analyzer(d), img, 1, whole);
    const t = tallyPersons(
      persons(found).map((p) => p.box),
      truth,
    );
    cells.push(`${t.found} / ${t.missed} / ${t.duplicates} / ${t.false}, ${skeletons(found)}, ${found.filter((x) => x.kind === 'face').length}`);
  }
  console.log(`| ${key} (${img.width}×${img.height}) | ${cells.join(' | ')} |`);
}

// The clip's motion frames in their order (int8-inputs splits them into even and odd).
const [even, odd] = [clipFrames('calibrate'), clipFrames('check')];
const clip = even.flatMap((f, i) => (odd[i] ? [f, odd[i]] : [f]));
const cells: string[] = [];
for (const d of detectors) {
  const a = analyzer(d);
  let [p, s, f] = [0, 0, 0];
  for (const [k, frame] of clip.entries()) {
    const found = await analyze(a, frame.img, k + 1, frame.motion);
    p += persons(found).length;
    s += skeletons(found);
    f += found.filter((x) => x.kind === 'face').length;
  }
  cells.push(`${p} persons, ${s} skeletons, ${f} faces`);
}
console.log(`| Hamilton clip, ${clip.length} motion frames | ${cells.join(' | ')} |`);
await Promise.all(detectors.map((d) => d.close()));
