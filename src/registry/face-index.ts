import type { PersonScore } from './decision.js';
import { createRowScanner, type RowScanner } from './row-scanner.js';

/** How a person's samples combine into one score: the best sample, or the mean over them. */
export type MatchStrategy = 'max' | 'mean';

export interface IndexMatch {
  personId: number;
  similarity: number;
  /** The person's closest sample. */
  sampleId: number;
}

/**
 * Every sample's L2-normalised embedding in one contiguous Float32Array (samples × dims), so a
 * match is one linear scan of dot products (wasm SIMD where available: row-scanner.ts), then a
 * pass over the scores per person: 10 000 samples of 1024 floats in a few milliseconds.
 */
export class FaceIndex {
  private readonly rows: RowScanner;
  private owners: Int32Array;
  private ids: Int32Array;
  private size = 0;

  constructor(
    readonly dims: number,
    capacity = 64,
  ) {
    this.rows = createRowScanner(dims, capacity);
    this.owners = new Int32Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  get count(): number {
    return this.size;
  }

  /** Appends one sample; storage doubles when full, so adding n samples costs O(n) copies. */
  add(sampleId: number, personId: number, embedding: Float32Array): void {
    if (embedding.length !== this.dims) throw new Error(`embedding has ${embedding.length} values, the index holds ${this.dims}`);
    if (this.size === this.rows.capacity) {
      const capacity = this.rows.capacity * 2;
      this.rows.grow(capacity);
      const owners = new Int32Array(capacity);
      owners.set(this.owners);
      this.owners = owners;
      const ids = new Int32Array(capacity);
      ids.set(this.ids);
      this.ids = ids;
    }
    this.rows.rows.set(embedding, this.size * this.dims);
    this.owners[this.size] = personId;
    this.ids[this.size] = sampleId;
    this.size++;
  }

  /** How alike two people are: the highest similarity between a sample of one and a sample of the other (null if either has none). */
  likeness(personA: number, personB: number): number | null {
    let best: number | null = null;
    for (let i = 0; i < this.size; i++) {
      if (this.owners[i] !== personA) continue;
      const own = this.rows.rows.subarray(i * this.dims, (i + 1) * this.dims);
      const other = this.ranked(own, 1, 'max').find((p) => p.personId === personB);
      if (other && (best === null || other.similarity > best)) best = other.similarity;
    }
    return best;
  }

  /**
   * The person whose samples are most similar to `embedding` (normalised), skipping `except`.
   * `max` scores a person by their closest sample; `mean` by the average over their samples.
   */
  best(embedding: Float32Array, strategy: MatchStrategy = 'max', except?: number): IndexMatch | null {
    if (embedding.length !== this.dims) throw new Error(`embedding has ${embedding.length} values, the index holds ${this.dims}`);
    const { owners, ids } = this;
    const scores = this.rows.scan(embedding, this.size);
    const perPerson = strategy === 'mean' ? new Map<number, { sum: number; n: number; top: number; sample: number }>() : null;
    let best: IndexMatch | null = null;
    for (let s = 0; s < scores.length; s++) {
      const owner = owners[s];
      if (owner === except) continue;
      const dot = scores[s];
      if (perPerson) {
        const p = perPerson.get(owner) ?? { sum: 0, n: 0, top: -Infinity, sample: 0 };
        p.sum += dot;
        p.n++;
        if (dot > p.top) {
          p.top = dot;
          p.sample = ids[s];
        }
        perPerson.set(owner, p);
      } else if (!best || dot > best.similarity) {
        best = { personId: owner, similarity: dot, sampleId: ids[s] };
      }
    }
    if (perPerson) {
      for (const [personId, p] of perPerson) {
        const similarity = p.sum / p.n;
        if (!best || similarity > best.similarity) best = { personId, similarity, sampleId: p.sample };
      }
    }
    return best;
  }

  /**
   * Every person's score, best first, with how many of their samples reach `threshold`: what
   * decide() (decision.ts) needs to weigh the runner-up and the agreeing samples.
   */
  ranked(embedding: Float32Array, threshold: number, strategy: MatchStrategy = 'max'): PersonScore[] {
    if (embedding.length !== this.dims) throw new Error(`embedding has ${embedding.length} values, the index holds ${this.dims}`);
    const scores = this.rows.scan(embedding, this.size);
    const people = new Map<number, PersonScore & { sum: number }>();
    for (let s = 0; s < scores.length; s++) {
      const dot = scores[s];
      let p = people.get(this.owners[s]);
      if (!p) {
        p = { personId: this.owners[s], similarity: -Infinity, sampleId: this.ids[s], agreeing: 0, samples: 0, sum: 0 };
        people.set(p.personId, p);
      }
      p.samples++;
      p.sum += dot;
      if (dot >= threshold) p.agreeing++;
      if (dot > p.similarity) [p.similarity, p.sampleId] = [dot, this.ids[s]];
    }
    return [...people.values()].map(({ sum, ...p }) => (strategy === 'mean' ? { ...p, similarity: sum / p.samples } : p)).sort((a, b) => b.similarity - a.similarity);
  }
}
