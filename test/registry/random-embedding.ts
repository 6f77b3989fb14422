/** Deterministic random unit vectors: unrelated faces (cosine near 0) for tests that need no model. */
export function randomEmbedding(seed: number, dims = 1024): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    // xorshift32, then Box-Muller for a normal value
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 1) / 4294967297;
  };
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    v[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i] /= norm;
  return v;
}

/** A vector at cosine `similarity` from `base` (both unit length). */
export function near(base: Float32Array, similarity: number, seed: number): Float32Array {
  const r = randomEmbedding(seed, base.length);
  let dot = 0;
  for (let i = 0; i < base.length; i++) dot += r[i] * base[i];
  const orth = new Float32Array(base.length);
  let n = 0;
  for (let i = 0; i < base.length; i++) {
    orth[i] = r[i] - dot * base[i];
    n += orth[i] * orth[i];
  }
  n = Math.sqrt(n);
  const k = Math.sqrt(1 - similarity * similarity);
  return base.map((b, i) => similarity * b + (k * orth[i]) / n);
}
