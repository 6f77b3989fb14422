import type { EnrolResult, FaceRegistry } from '../../registry/face-registry.js';
import type { Person, PersonSummary } from '../../store/people.js';

const iso = (ms: number) => new Date(ms).toISOString();
/** Paths are relative to the API root, like an event's snapshot, so they work behind HA ingress. */
const facePath = (name: string) => `faces/${encodeURIComponent(name)}`;

/** A person as the API shows them: with sample count and thumbnail when listed. */
export function personJson(p: Person | PersonSummary) {
  return {
    id: p.id,
    name: p.name,
    external_id: p.externalId,
    ...('samples' in p ? { samples: p.samples, thumbnail: p.thumbnailSampleId ? `${facePath(p.name)}/thumbnail.jpg` : null } : {}),
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

/** A person with every sample, for `GET /api/faces/:name`. */
export function personDetailJson(p: ReturnType<FaceRegistry['person']>) {
  return {
    ...personJson(p),
    samples: p.samples.map((s) => ({
      id: s.id,
      source: s.source,
      source_ref: s.sourceRef,
      box: s.box,
      model: s.model,
      created_at: iso(s.createdAt),
      crop: s.hasCrop ? `${facePath(p.name)}/samples/${s.id}/crop.jpg` : null,
    })),
  };
}

/** An enrolment's answer; `threshold`: the registry's, which a sample's `likeness` under it is doubtful against. */
export function enrolJson(r: EnrolResult, threshold: number) {
  return {
    person: personJson(r.person),
    created: r.created,
    threshold,
    samples: r.samples.map((s) => ({ id: s.id, source: s.source, face: s.face, likeness: s.likeness, crop: `${facePath(r.person.name)}/samples/${s.id}/crop.jpg` })),
  };
}
