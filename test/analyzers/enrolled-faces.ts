import { readdirSync } from 'node:fs';
import type { MatchFace } from '../../src/analyzers/analyzer.js';
import type { Detector } from '../../src/models/detector.js';
import { cosineSimilarity } from '../../src/models/face-embedder.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { loadImage } from '../../src/vision/image.js';

/**
 * The registry's matcher in small, for tests: every photo in `<faces>/known/<person>/` enrolled,
 * and the best person at or above the registry's default threshold.
 */
export async function enrolledMatcher(detector: Detector, facesDir: string): Promise<MatchFace> {
  const threshold = registryConfigSchema.parse({}).threshold;
  const enrolled: { name: string; embedding: Float32Array }[] = [];
  for (const name of readdirSync(`${facesDir}/known`)) {
    for (const file of readdirSync(`${facesDir}/known/${name}`)) {
      const img = await loadImage(`${facesDir}/known/${name}/${file}`);
      const [face] = (await detector.detectFaces(img)).sort((a, b) => b.score - a.score);
      if (face) enrolled.push({ name, embedding: await detector.embedFace(img, face) });
    }
  }
  return (embedding) => {
    const best = enrolled.map((e) => ({ name: e.name, similarity: cosineSimilarity(e.embedding, embedding) })).sort((a, b) => b.similarity - a.similarity)[0];
    return best && best.similarity >= threshold ? best : null;
  };
}
