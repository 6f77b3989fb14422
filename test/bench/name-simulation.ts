/**
 * Wrong and missed names on a labelled set of embedded faces, as the registry would give them:
 * each person enrolled with their first `enrol` faces, every other face of theirs matched once
 * with them enrolled (it should get their name) and once with them left out (a stranger: it
 * should get none). Used by test/bench/calibrate-faces.ts and its test.
 */
import { decide, type DecisionRules, type PersonScore } from '../../src/registry/decision.js';

export interface LabelledFace {
  person: string;
  yaw: number;
  embedding: Float32Array;
}

export interface NameCounts {
  /** Faces of enrolled people matched, and faces matched as strangers. */
  known: number;
  strangers: number;
  /** Enrolled people given another person's name. */
  wrongKnown: number;
  /** Strangers given a name. */
  wrongStrangers: number;
  /** Enrolled people given no name. */
  missed: number;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

function ranked(samples: readonly { person: number; embedding: Float32Array }[], e: Float32Array, threshold: number, leaveOut: number): PersonScore[] {
  const people = new Map<number, PersonScore>();
  for (const [i, s] of samples.entries()) {
    if (s.person === leaveOut) continue;
    const d = dot(s.embedding, e);
    const p = people.get(s.person) ?? { personId: s.person, similarity: -Infinity, sampleId: i, agreeing: 0, samples: 0 };
    p.samples++;
    if (d >= threshold) p.agreeing++;
    if (d > p.similarity) [p.similarity, p.sampleId] = [d, i];
    people.set(s.person, p);
  }
  return [...people.values()].sort((a, b) => b.similarity - a.similarity);
}

export function simulateNames(faces: readonly LabelledFace[], rules: DecisionRules & { maxYaw: number }, enrol = 3): NameCounts {
  const names = [...new Set(faces.map((f) => f.person))];
  const seen = new Map<string, number>();
  const samples: { person: number; embedding: Float32Array }[] = [];
  const probes: { person: number; face: LabelledFace }[] = [];
  for (const f of faces) {
    const n = seen.get(f.person) ?? 0;
    seen.set(f.person, n + 1);
    // the first faces in file order are enrolled: no choosing the photos that match best
    if (n < enrol) samples.push({ person: names.indexOf(f.person), embedding: f.embedding });
    else probes.push({ person: names.indexOf(f.person), face: f });
  }
  const c: NameCounts = { known: 0, strangers: 0, wrongKnown: 0, wrongStrangers: 0, missed: 0 };
  for (const { person, face } of probes) {
    // a face turned too far is given no name, whoever it is
    const turned = face.yaw > rules.maxYaw;
    const asKnown = turned ? null : decide(ranked(samples, face.embedding, rules.threshold, -1), rules);
    c.known++;
    if (asKnown?.name !== 'named') c.missed++;
    else if (asKnown.best.personId !== person) c.wrongKnown++;
    const asStranger = turned ? null : decide(ranked(samples, face.embedding, rules.threshold, person), rules);
    c.strangers++;
    if (asStranger?.name === 'named') c.wrongStrangers++;
  }
  return c;
}
