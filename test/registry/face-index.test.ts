import { describe, expect, it } from 'vitest';
import { FaceIndex } from '../../src/registry/face-index.js';
import { near, randomEmbedding } from './random-embedding.js';

describe('FaceIndex', () => {
  it('finds the person of the closest sample, growing past its first capacity', () => {
    const index = new FaceIndex(64, 2);
    const base = randomEmbedding(1, 64);
    for (let i = 0; i < 100; i++) index.add(i, 10 + i, randomEmbedding(100 + i, 64));
    index.add(500, 7, near(base, 0.8, 2));
    expect(index.count).toBe(101);
    const best = index.best(base)!;
    expect(best.personId).toBe(7);
    expect(best.sampleId).toBe(500);
    expect(best.similarity).toBeCloseTo(0.8, 4);
  });

  it('scores by the mean of a person’s samples when asked, and leaves a person out', () => {
    const index = new FaceIndex(32);
    const q = randomEmbedding(9, 32);
    index.add(1, 1, near(q, 0.9, 3));
    index.add(2, 1, near(q, 0.1, 4));
    index.add(3, 2, near(q, 0.6, 5));
    index.add(4, 2, near(q, 0.6, 6));
    expect(index.best(q, 'max')!.personId).toBe(1);
    const mean = index.best(q, 'mean')!;
    expect(mean.personId).toBe(2);
    expect(mean.similarity).toBeCloseTo(0.6, 4);
    expect(index.best(q, 'max', 1)!.personId).toBe(2);
    expect(new FaceIndex(32).best(q)).toBeNull();
  });

  it('refuses an embedding of another size', () => {
    const index = new FaceIndex(8);
    expect(() => index.add(1, 1, new Float32Array(4))).toThrow(/4 values.*8/);
    expect(() => index.best(new Float32Array(4))).toThrow(/4 values/);
  });
});
