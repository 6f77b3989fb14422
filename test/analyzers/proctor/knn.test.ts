import { describe, expect, it } from 'vitest';
import { CANDIDATE_KS, chooseK, classify, crossValidate, type Sample } from '../../../src/analyzers/proctor/knn.js';

/**
 * A table whose cross-validation is worked out by hand. Ten `a` samples: nine at x = 0…8 and
 * one (sample 9) at x = 100.5, among the `b` samples at x = 100…109 (samples 10–19). Ten folds:
 * fold f holds samples f and f + 10.
 *
 * k = 1: sample 9 (100.5) has 100 and 101 at 0.5, the first in training order wins: b, wrong;
 *        sample 10 (100) has 100.5 nearest: a, wrong; sample 11 (101) has 100.5 at 0.5: a, wrong.
 *        17 of 20 = 0.85.
 * k = 3: sample 9 sees 100, 101, 102: b, wrong. Samples 10 and 11 see 100.5 once and two b's: b.
 *        19 of 20 = 0.95; confusion a→a 9, a→b 1, b→b 10.
 * k = 5: the same single mistake: 0.95. The tie with k = 3 goes to the smaller k.
 */
const TABLE: Sample[] = [
  ...Array.from({ length: 9 }, (_, i) => ({ features: [i], label: 'a' })),
  { features: [100.5], label: 'a' },
  ...Array.from({ length: 10 }, (_, i) => ({ features: [100 + i], label: 'b' })),
];

describe('k-NN (Euclidean, majority vote)', () => {
  it('votes among the k nearest', () => {
    const train: Sample[] = [
      { features: [0, 0], label: 'normal' },
      { features: [0, 1], label: 'normal' },
      { features: [5, 5], label: 'suspicious' },
      { features: [5, 6], label: 'suspicious' },
      { features: [6, 5], label: 'suspicious' },
    ];
    expect(classify(train, [1, 1], 1)).toEqual({ label: 'normal', score: 1 });
    expect(classify(train, [1, 1], 3)).toEqual({ label: 'normal', score: 2 / 3 });
    expect(classify(train, [1, 1], 5).label).toBe('suspicious');
    expect(() => classify(train, [1], 3)).toThrow(/length/);
  });

  it('breaks a tie between labels by the nearest sample among them', () => {
    const train: Sample[] = [
      { features: [2], label: 'x' },
      { features: [1], label: 'y' },
    ];
    expect(classify(train, [0], 2).label).toBe('y');
  });
});

describe('10-fold cross-validation on a table worked out by hand', () => {
  it('k = 1 gets 17 of 20', () => {
    const cv = crossValidate(TABLE, 1);
    expect(cv.accuracy).toBeCloseTo(0.85);
    expect(cv.foldAccuracies).toEqual([0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 0.5]);
  });

  it('k = 3 gets 19 of 20, with its confusion matrix', () => {
    const cv = crossValidate(TABLE, 3);
    expect(cv.accuracy).toBeCloseTo(0.95);
    expect(cv.labels).toEqual(['a', 'b']);
    expect(cv.confusion).toEqual([
      [9, 1],
      [0, 10],
    ]);
  });

  it('chooses k = 3: the best accuracy, the smaller k on a tie', () => {
    const { best, results } = chooseK(TABLE, [1, 3, 5]);
    expect(results.map((r) => r.accuracy.toFixed(2))).toEqual(['0.85', '0.95', '0.95']);
    expect(best.k).toBe(3);
  });

  it('searches the odd k from 3 to 25, skipping any k larger than a training fold', () => {
    expect(CANDIDATE_KS).toEqual([3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25]);
    // 20 samples: training folds of 18, so k = 19…25 are not tried
    expect(chooseK(TABLE).results.map((r) => r.k)).toEqual([3, 5, 7, 9, 11, 13, 15, 17]);
    expect(() => crossValidate(TABLE.slice(0, 5), 3)).toThrow(/at least 10/);
  });
});
