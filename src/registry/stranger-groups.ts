import { l2Normalize } from '../models/face-embedder.js';

export interface FaceToGroup {
  id: number;
  camera: string;
  /** Seconds since the epoch: two faces of one camera at one time are two people. */
  time: number;
  embedding: Float32Array;
}

export interface StrangerGroup<T extends FaceToGroup> {
  /** The smallest face id in the group: stable while that face stays. */
  id: number;
  /** Oldest first. */
  faces: T[];
  /** How alike its faces are: the lowest similarity of a face to the group's centre. */
  cohesion: number;
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * Unknown faces grouped by similarity, one group per stranger: average-linkage agglomerative
 * clustering. The two groups whose faces are the most alike on average merge, while that average
 * is at or above `threshold`; a face is never grouped with another seen by the same camera at the
 * same time (two faces in one frame are two people). Average rather than nearest-face linkage, so
 * a chain of look-alikes does not pull two strangers into one group. Deterministic: faces are
 * taken in time order (then id) and ties go to the older pair. Newest-seen groups first.
 * O(n³) in the worst case: the store keeps a few hundred faces (unknown-faces.ts).
 */
export function groupStrangers<T extends FaceToGroup>(faces: readonly T[], threshold: number): StrangerGroup<T>[] {
  const ordered = [...faces].sort((a, b) => a.time - b.time || a.id - b.id);
  const normals = ordered.map((f) => l2Normalize(f.embedding));
  const members = cluster(similarities(ordered, normals), ordered.length, threshold);
  return members.map((m) => groupOf(m, ordered, normals)).sort((a, b) => b.faces[b.faces.length - 1].time - a.faces[a.faces.length - 1].time || a.id - b.id);
}

/** The n×n cosine similarities; −∞ between two faces of one frame (they can never be grouped). */
function similarities(faces: readonly FaceToGroup[], normals: Float32Array[]): Float64Array {
  const n = faces.length;
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const sameFrame = faces[i].camera === faces[j].camera && faces[i].time === faces[j].time;
      const s = sameFrame || normals[i].length !== normals[j].length ? Number.NEGATIVE_INFINITY : dot(normals[i], normals[j]);
      sim[i * n + j] = s;
      sim[j * n + i] = s;
    }
  }
  return sim;
}

/** The closest two live groups, the older pair on a tie. */
function closestPair(sim: Float64Array, n: number, alive: boolean[]): { best: number; i: number; j: number } {
  let best = Number.NEGATIVE_INFINITY;
  let bi = -1;
  let bj = -1;
  for (let i = 0; i < n; i++) {
    if (!alive[i]) continue;
    for (let j = i + 1; j < n; j++) if (alive[j] && sim[i * n + j] > best) [best, bi, bj] = [sim[i * n + j], i, j];
  }
  return { best, i: bi, j: bj };
}

/** Average-linkage merging (in place on `sim`); returns each group's face indices. */
function cluster(sim: Float64Array, n: number, threshold: number): number[][] {
  const members: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const alive = members.map(() => true);
  for (;;) {
    const { best, i, j } = closestPair(sim, n, alive);
    if (i < 0 || best < threshold) break;
    // Lance–Williams for average linkage: the merged group's mean similarity to every other group.
    const [si, sj] = [members[i].length, members[j].length];
    for (let k = 0; k < n; k++) {
      if (!alive[k] || k === i || k === j) continue;
      const s = (si * sim[i * n + k] + sj * sim[j * n + k]) / (si + sj);
      sim[i * n + k] = s;
      sim[k * n + i] = s;
    }
    members[i] = [...members[i], ...members[j]].sort((a, b) => a - b);
    alive[j] = false;
  }
  return members.filter((_, i) => alive[i]);
}

function groupOf<T extends FaceToGroup>(indices: number[], faces: readonly T[], normals: Float32Array[]): StrangerGroup<T> {
  const centre = new Float32Array(normals[indices[0]].length);
  for (const m of indices) for (let d = 0; d < centre.length; d++) centre[d] += normals[m][d];
  const unit = l2Normalize(centre);
  const cohesion = Math.min(...indices.map((m) => dot(unit, normals[m])));
  const list = indices.map((m) => faces[m]);
  return { id: Math.min(...list.map((f) => f.id)), faces: list, cohesion: Math.round(cohesion * 1000) / 1000 };
}
