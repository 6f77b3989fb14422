import { describe, expect, it } from 'vitest';
import { groupStrangers } from '../../src/registry/stranger-groups.js';
import { near, randomEmbedding } from './random-embedding.js';

const a = randomEmbedding(1);
const b = randomEmbedding(2);
const face = (id: number, embedding: Float32Array, time = id, camera = 'door') => ({ id, camera, time, embedding });

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

  it('does not chain look-alikes into one group: groups merge on their average similarity, not their nearest faces', () => {
    // y is 0.8 from x and z is 0.8 from y, but z is only 0.28 from x (z = 0.8 y − 0.6 (x − 0.8 y)/0.6):
    // linking nearest faces would make one group of all three; {x, y} is on average 0.54 from z.
    const x = a;
    const y = near(x, 0.8, 31);
    const z = y.map((v, i) => 0.8 * v - (x[i] - 0.8 * v));
    const groups = groupStrangers([face(1, x), face(2, y), face(3, z)], 0.71);
    // y goes with x or with z (both 0.8): either way x and z stay apart.
    expect(groups).toHaveLength(2);
    expect(groups.some((g) => g.faces.some((f) => f.id === 1) && g.faces.some((f) => f.id === 3))).toBe(false);
  });

  it('never groups two faces of one frame (one camera, one time), however alike', () => {
    const groups = groupStrangers([face(1, near(a, 0.95, 51), 5), face(2, near(a, 0.95, 52), 5), face(3, near(a, 0.95, 53), 5, 'yard')], 0.71);
    expect(groups).toHaveLength(2);
    expect(groups.some((g) => g.faces.some((f) => f.id === 1) && g.faces.some((f) => f.id === 2))).toBe(false);
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
