import { l2Normalize } from '../models/face-embedder.js';

export interface FaceToGroup {
  id: number;
  time: number;
  embedding: Float32Array;
}

export interface StrangerGroup<T extends FaceToGroup> {
  /** The smallest face id in the group: stable while that face stays. */
  id: number;
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
 * Unknown faces grouped by similarity, one group per stranger. Greedy and deterministic: faces
 * in time order (then id) each join the group whose centre (the mean of its normalised
 * embeddings) they are most similar to, at or above `threshold` (the registry's: what would name
 * them the same person), else start a group. A centre rather than the nearest member, so a chain
 * of look-alikes does not pull two strangers into one group. Newest-seen groups first.
 */
export function groupStrangers<T extends FaceToGroup>(faces: readonly T[], threshold: number): StrangerGroup<T>[] {
  const ordered = [...faces].sort((a, b) => a.time - b.time || a.id - b.id);
  const groups: { faces: T[]; normals: Float32Array[]; sum: Float32Array }[] = [];
  for (const f of ordered) {
    const n = l2Normalize(f.embedding);
    let best: (typeof groups)[number] | undefined;
    let bestSimilarity = threshold;
    for (const g of groups) {
      if (g.sum.length !== n.length) continue;
      const similarity = dot(l2Normalize(g.sum), n);
      if (similarity >= bestSimilarity) [best, bestSimilarity] = [g, similarity];
    }
    if (best) {
      best.faces.push(f);
      best.normals.push(n);
      for (let i = 0; i < n.length; i++) best.sum[i] += n[i];
    } else groups.push({ faces: [f], normals: [n], sum: Float32Array.from(n) });
  }
  return groups
    .map((g) => {
      const centre = l2Normalize(g.sum);
      const cohesion = Math.min(...g.normals.map((n) => dot(centre, n)));
      return { id: Math.min(...g.faces.map((f) => f.id)), faces: g.faces, cohesion: Math.round(cohesion * 1000) / 1000 };
    })
    .sort((a, b) => b.faces[b.faces.length - 1].time - a.faces[a.faces.length - 1].time || a.id - b.id);
}
