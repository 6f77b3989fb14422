import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../../src/train/rng.js';
import type { TrainOptions } from '../../src/train/train-objects.js';

export const FIXTURES = resolve(import.meta.dirname, '../../../shared/fixtures');
const PHOTOS = ['people/ai-body.jpg', 'people/background.jpg', 'people/group-1.jpg', 'people/group-3.jpg', 'people/group-6.jpg', 'people/stock-group-2.jpg'];

/**
 * A YOLO folder of a class COCO does not have: a "target" (red and white rings) pasted on the
 * fixture photos at seeded places and sizes. Train and valid hold the same photos with other
 * placements; each split's labels give the boxes.
 */
export async function syntheticDataset(dir: string, perSplit = PHOTOS.length): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data.yaml'), 'names: ["target"]\n');
  const random = seededRandom(7);
  for (const split of ['train', 'valid']) {
    mkdirSync(join(dir, split, 'images'), { recursive: true });
    mkdirSync(join(dir, split, 'labels'), { recursive: true });
    for (let i = 0; i < perSplit; i++) {
      const photo = PHOTOS[i % PHOTOS.length];
      const base = sharp(join(FIXTURES, photo)).resize(320, 240, { fit: 'fill' });
      const size = Math.round(50 + random() * 40);
      const x = Math.round(random() * (320 - size));
      const y = Math.round(random() * (240 - size));
      const r = size / 2;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><circle cx="${r}" cy="${r}" r="${r}" fill="#d00"/><circle cx="${r}" cy="${r}" r="${r * 0.66}" fill="#fff"/><circle cx="${r}" cy="${r}" r="${r * 0.33}" fill="#d00"/></svg>`;
      await base
        .composite([{ input: Buffer.from(svg), left: x, top: y }])
        .jpeg()
        .toFile(join(dir, split, 'images', `img${i}.jpg`));
      writeFileSync(join(dir, split, 'labels', `img${i}.txt`), `0 ${(x + r) / 320} ${(y + r) / 240} ${size / 320} ${size / 240}\n`);
    }
  }
}

const MODELS = resolve(import.meta.dirname, '../../models');

/** trainObjects' options for the synthetic data set in `data`: a head that learns "target" in seconds. */
export function syntheticTraining(data: string): Omit<TrainOptions, 'out' | 'workDir'> {
  return {
    data,
    centernet: readFileSync(join(MODELS, 'centernet.onnx')),
    baseLabels: readFileSync(join(MODELS, 'labels/coco80.txt'), 'utf8').split('\n').filter(Boolean),
    epochs: 25,
    hidden: 16,
    batch: 64,
    lr: 5e-3,
    sampling: { views: [512], nearCells: 16, negativeCells: 48 },
  };
}
