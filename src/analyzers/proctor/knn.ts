/** One labelled feature vector (the 18 ratios, or those joined by a pose vector). */
export interface Sample {
  features: ArrayLike<number>;
  label: string;
}

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`feature vectors differ in length: ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/**
 * The reference method's classifier: the majority label among the `k` training samples nearest
 * to `x` by Euclidean distance. A tie between labels goes to the label of the nearest sample
 * among the tied ones (with two labels and an odd k there are none). Equal distances keep the
 * training order, so the answer never depends on the sort's whims.
 */
export function classify(train: readonly Sample[], x: ArrayLike<number>, k: number): { label: string; score: number } {
  if (train.length === 0) throw new Error('k-NN needs at least one training sample');
  const nearest = train
    .map((s, i) => ({ label: s.label, d: euclidean(s.features, x), i }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, Math.min(k, train.length));
  const votes = new Map<string, number>();
  for (const n of nearest) votes.set(n.label, (votes.get(n.label) ?? 0) + 1);
  const most = Math.max(...votes.values());
  // nearest is sorted, so the first sample with a winning count is the nearest among the tied labels
  const label = nearest.find((n) => votes.get(n.label) === most)!.label;
  return { label, score: most / nearest.length };
}

export interface CrossValidation {
  k: number;
  folds: number;
  /** Correct predictions over all samples (each sample is predicted once, by the fold it is left out of). */
  accuracy: number;
  /** Each fold's accuracy, in fold order. */
  foldAccuracies: number[];
  /** Labels in sorted order; `confusion[actual][predicted]` counts samples. */
  labels: string[];
  confusion: number[][];
}

/**
 * k-fold cross-validation: sample `i` is held out in fold `i % folds` and predicted from the
 * samples of the other folds. Taking every folds-th sample (rather than shuffling) makes the
 * answer reproducible, and keeps the classes' shares in each fold when samples are stored by class.
 */
export function crossValidate(samples: readonly Sample[], k: number, folds = 10): CrossValidation {
  if (samples.length < folds) throw new Error(`${folds}-fold cross-validation needs at least ${folds} samples, got ${samples.length}`);
  const labels = [...new Set(samples.map((s) => s.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  const foldAccuracies: number[] = [];
  let correct = 0;
  for (let f = 0; f < folds; f++) {
    const train = samples.filter((_, i) => i % folds !== f);
    const test = samples.filter((_, i) => i % folds === f);
    let right = 0;
    for (const s of test) {
      const predicted = classify(train, s.features, k).label;
      confusion[index.get(s.label)!][index.get(predicted)!]++;
      if (predicted === s.label) right++;
    }
    correct += right;
    foldAccuracies.push(right / test.length);
  }
  return { k, folds, accuracy: correct / samples.length, foldAccuracies, labels, confusion };
}

/** The paper's search: odd k from 3 to 25. */
export const CANDIDATE_KS: readonly number[] = Array.from({ length: 12 }, (_, i) => 3 + 2 * i);

export interface KChoice {
  /** The k with the highest accuracy (the smallest such k on a tie: the cheaper, more local vote). */
  best: CrossValidation;
  /** One cross-validation per k tried, in the order given. */
  results: CrossValidation[];
}

/**
 * Cross-validates each k and keeps the best. A k larger than a training fold (the samples less
 * one fold) would vote with every sample, so it is not tried.
 */
export function chooseK(samples: readonly Sample[], ks: readonly number[] = CANDIDATE_KS, folds = 10): KChoice {
  const trainSize = samples.length - Math.ceil(samples.length / folds);
  const results = ks.filter((k) => k <= trainSize).map((k) => crossValidate(samples, k, folds));
  if (results.length === 0) throw new Error(`too few samples (${samples.length}) for k = ${ks.join(', ')} in ${folds}-fold cross-validation`);
  const best = results.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  return { best, results };
}
