/** One enrolled person's score against a face: their best sample, and how many samples agree. */
export interface PersonScore {
  personId: number;
  /** The person's best sample (`max`) or the mean over their samples (`mean`). */
  similarity: number;
  /** Their closest sample. */
  sampleId: number;
  /** Their samples at or above the threshold. */
  agreeing: number;
  /** Their samples in all. */
  samples: number;
}

/** The rules a name must pass besides the threshold; documented in docs/faces.md. */
export interface DecisionRules {
  threshold: number;
  /** How far the best person must lead the second-best person. */
  margin: number;
  /** Samples of the person that must reach the threshold, at most as many as they have. */
  minAgreeing: number;
}

export type Verdict = { name: 'named'; best: PersonScore } | { name: 'below_threshold' | 'no_margin' | 'too_few_agree'; best: PersonScore | null };

/**
 * Who a face is, from every person's score sorted best first. One number (the best similarity)
 * names a stranger whenever a lucky sample clears the threshold; a lead over the runner-up and a
 * second agreeing sample are each rarely lucky at the same time (measured in docs/faces.md).
 */
export function decide(ranked: readonly PersonScore[], rules: DecisionRules): Verdict {
  const [best, second] = ranked;
  if (!best || best.similarity < rules.threshold) return { name: 'below_threshold', best: best ?? null };
  if (second && best.similarity - second.similarity < rules.margin) return { name: 'no_margin', best };
  if (best.agreeing < Math.min(rules.minAgreeing, best.samples)) return { name: 'too_few_agree', best };
  return { name: 'named', best };
}
