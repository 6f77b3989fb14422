/**
 * Face matching speed: one probe against 10 000 enrolled samples.
 * Run: npx tsx test/bench/registry-match.ts
 *
 * FaceIndex (one contiguous Float32Array, one linear scan) against a reference measured in the
 * same run: the obvious per-sample loop over arrays of numbers with a general cosine, the way
 * Human's `match()` walks its descriptor list (Human documents about 60 ms for 10 000).
 */
import { cosineSimilarity } from '../../src/models/face-embedder.js';
import { FaceIndex } from '../../src/registry/face-index.js';
import { randomEmbedding } from '../registry/random-embedding.js';

const SAMPLES = 10_000;
const PEOPLE = 1_000;
const RUNS = 50;

function median(work: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    work();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

for (const dims of [1024, 192]) {
  const index = new FaceIndex(dims);
  const reference: { person: number; embedding: number[] }[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const e = randomEmbedding(s + 1, dims);
    index.add(s, s % PEOPLE, e);
    reference.push({ person: s % PEOPLE, embedding: Array.from(e) });
  }
  const probe = randomEmbedding(123_456, dims);
  const probeArray = Array.from(probe);
  let sink = 0;
  const scan = median(() => (sink += index.best(probe, 'max')!.similarity));
  const mean = median(() => (sink += index.best(probe, 'mean')!.similarity));
  const naive = median(() => {
    let best = -Infinity;
    for (const r of reference) best = Math.max(best, cosineSimilarity(probeArray, r.embedding));
    sink += best;
  });
  console.log(
    `${SAMPLES} samples × ${dims}: FaceIndex max ${scan.toFixed(2)} ms, mean ${mean.toFixed(2)} ms; per-sample reference ${naive.toFixed(2)} ms ` +
      `(×${(naive / scan).toFixed(1)} slower); Human's documented figure ~60 ms${sink === 42 ? '' : ''}`,
  );
}
