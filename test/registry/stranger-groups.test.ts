import { describe, expect, it } from 'vitest';
import { groupStrangers } from '../../src/registry/stranger-groups.js';
import { near, randomEmbedding } from './random-embedding.js';

const a = randomEmbedding(1);
const b = randomEmbedding(2);
const face = (id: number, embedding: Float32Array, time = id) => ({ id, time, embedding });

describe('groupStrangers', () => {
  it('puts faces of one stranger together and two strangers apart, newest-seen group first', () => {
    const faces = [face(1, near(a, 0.85, 11)), face(2, near(b, 0.85, 12)), face(3, near(a, 0.85, 13)), face(4, near(b, 0.85, 14)), face(5, near(a, 0.85, 15))];
    const groups = groupStrangers(faces, 0.71);
    expect(groups.map((g) => g.faces.map((f) => f.id))).toEqual([
      [1, 3, 5],
      [2, 4],
    ]);
    expect(groups.map((g) => g.id)).toEqual([1, 2]);
    for (const g of groups) expect(g.cohesion).toBeGreaterThanOrEqual(0.71);
  });

  it('keeps faces below the threshold apart', () => {
    // Two samples of one base at 0.75 each are about 0.56 alike: under 0.71, so two groups.
    const groups = groupStrangers([face(1, near(a, 0.75, 21)), face(2, near(a, 0.75, 22))], 0.71);
    expect(groups).toHaveLength(2);
  });

  it('does not chain look-alikes into one group: each joins a centre, not its nearest member', () => {
    // y is 0.8 from x and z is 0.8 from y, but z is only 0.28 from x (z = 0.8 y − 0.6 (x − 0.8 y)/0.6):
    // linking nearest members would make one group of all three; the centre of {x, y} is 0.57 from z.
    const x = a;
    const y = near(x, 0.8, 31);
    const z = y.map((v, i) => 0.8 * v - (x[i] - 0.8 * v));
    const groups = groupStrangers([face(1, x), face(2, y), face(3, z)], 0.71);
    expect(groups.map((g) => g.faces.map((f) => f.id))).toEqual([[3], [1, 2]]);
  });

  it('gives the same groups whatever order the faces come in', () => {
    const faces = [face(1, near(a, 0.85, 41)), face(2, near(b, 0.85, 42)), face(3, near(a, 0.85, 43))];
    const ids = (list: typeof faces) => groupStrangers(list, 0.71).map((g) => g.faces.map((f) => f.id));
    expect(ids([...faces].reverse())).toEqual(ids(faces));
  });

  it('returns no groups for no faces', () => {
    expect(groupStrangers([], 0.71)).toEqual([]);
  });
});
