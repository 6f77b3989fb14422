/** ROC arithmetic for the face calibration (test/bench/calibrate-faces.ts) and its test. */

/** Pairwise cosine similarities (embeddings L2-normalised), split into same-person and different-person pairs. */
export function pairScores(faces: readonly { person: string; embedding: Float32Array }[]): { same: Float64Array; different: Float64Array } {
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < faces.length; i++) {
    const a = faces[i].embedding;
    for (let j = i + 1; j < faces.length; j++) {
      const b = faces[j].embedding;
      let dot = 0;
      for (let k = 0; k < a.length; k++) dot += a[k] * b[k];
      (faces[i].person === faces[j].person ? same : different).push(dot);
    }
  }
  return { same: Float64Array.from(same).sort(), different: Float64Array.from(different).sort() };
}

/** Share of sorted scores at or above t. */
export function rateAtOrAbove(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length === 0 ? 0 : (sorted.length - lo) / sorted.length;
}

/**
 * The lowest threshold, on a grid of `step`, whose false-accept rate (different-person pairs at
 * or above it) is at most `far`: a config value a person can type, and the promise holds on it.
 */
export function thresholdForFar(different: Float64Array, far: number, step = 0.01): number {
  for (let t = 0; t <= 1 + 1e-9; t += step) {
    const rounded = Math.round(t / step) * step;
    if (rateAtOrAbove(different, rounded) <= far) return Number(rounded.toFixed(4));
  }
  return 1;
}

/** Area under the ROC: the chance a same-person pair outscores a different-person pair (ties half). */
export function auc(same: Float64Array, different: Float64Array): number {
  let wins = 0;
  let j = 0;
  let k = 0;
  for (const s of same) {
    while (j < different.length && different[j] < s) j++;
    k = j;
    while (k < different.length && different[k] === s) k++;
    wins += j + (k - j) / 2;
  }
  return wins / (same.length * different.length);
}
