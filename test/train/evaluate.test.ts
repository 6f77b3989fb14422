import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifierModel } from '../../src/convert/crop-verifier.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsDir } from '../../src/models/manifest.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { evaluateMerged } from '../../src/train/evaluate.js';
import { readHeadFile, verifierFromFile } from '../../src/train/head-file.js';
import type { YoloImage } from '../../src/train/yolo-dataset.js';
import { loadImage } from '../../src/vision/image.js';

const MODELS = defaultModelsDir();
const VALID = join(import.meta.dirname, '../../../shared/datasets/weapons/valid');
/**
 * Valid photos whose weapons some of the five views score under min_score (0.3): cut in each view
 * at run time, Argus gave 0.270 and 0.201 where training measured 0.427 and 0.402, and low knives
 * (0.145, 0.200) on a photo training finds none on.
 */
const PHOTOS = [
  '--------_------_jpg.rf.f89f768fda731c4eebcba7937f2b42a2',
  'ABmframe00301_jpg.rf.f009b0e538d00c922686bb8df2d069a8',
  'DSC_0009_JPG.rf.efde2edb21d2c9ff90a593dd65e00d4f',
];
const ready = existsSync(join(MODELS, 'centernet-weapons.onnx')) && PHOTOS.every((p) => existsSync(join(VALID, 'images', `${p}.jpg`)));
const CLASSES = ['pistol', 'knife'];

describe.skipIf(!ready)('evaluateMerged (needs the built models and ../shared/datasets/weapons)', () => {
  let detector: Detector;
  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects'] });
  });
  afterAll(() => detector?.close());

  it('scores a photo’s weapons as Argus does when it analyses that photo (the figures training prints are the ones users get)', async () => {
    const images: YoloImage[] = PHOTOS.map((p) => ({ image: join(VALID, 'images', `${p}.jpg`), boxes: [] }));
    const head = join(MODELS, 'weapons.head.json');
    const verifier = verifierModel(readFileSync(join(MODELS, 'centernet.onnx')), verifierFromFile(await readHeadFile(head), head)!);
    const { detections } = await evaluateMerged(readFileSync(join(MODELS, 'centernet-weapons.onnx')), images, CLASSES, { baseClasses: 80, verifier });
    const minScore = defaultModelsConfig().objects.min_score;
    for (const [i, { image }] of images.entries()) {
      const measured = detections.filter((d) => d.image === i && d.score >= minScore).map((d) => ({ label: CLASSES[d.cls], score: d.score, box: d.box }));
      const run = (await detector.detectObjects(await loadImage(image))).filter((d) => CLASSES.includes(d.label));
      const sorted = (ds: { label: string; score: number; box: number[] }[]) => ds.map((d) => [d.label, d.score.toFixed(4), ...d.box.map((v) => v.toFixed(1))]).sort();
      expect(sorted(run), image).toEqual(sorted(measured));
    }
    // the photos are the ones that differed: weapons found on two, none on the third
    expect(new Set(detections.filter((d) => d.score >= minScore).map((d) => d.image))).toEqual(new Set([0, 1]));
  });
});
