import { z } from 'zod';
import { RegistryError } from '../../registry/errors.js';
import type { FaceRegistry } from '../../registry/face-registry.js';
import { checkPersonName } from '../../registry/person-name.js';
import { groupStrangers } from '../../registry/stranger-groups.js';
import type { UnknownFaceStore } from '../../store/unknown-faces.js';
import { HttpError } from '../http-error.js';
import type { ApiPlugin } from '../zod-validation.js';
import { personJson } from './face-json.js';

export interface UnknownFaceRoutesDeps {
  store: UnknownFaceStore;
  registry: FaceRegistry;
  /** The embedder whose faces are shown and enrolled (`models.faces.embedder`). */
  model: string;
}

const idParams = z.object({ id: z.string().regex(/^\d{1,15}$/, 'a face id is a whole number') });
const listQuery = z.object({ event_id: z.string().min(1).max(128).optional() }).strict();
/** A group is named by its faces' ids, not its id: a group can change between showing and naming. */
const faceIds = z.array(z.number().int().min(1)).min(1).max(500);
// an empty name reaches the registry, whose answer says what a name must be
const nameBody = z.object({ name: z.string().max(128), faces: faceIds, force: z.boolean().optional() }).strict();
const dismissBody = z.object({ faces: faceIds }).strict();

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * The enrolled person the group's faces come closest to, whatever the similarity: under the
 * threshold (or it would have been named), but a hint when it is someone in poor light.
 */
function closestPerson(registry: FaceRegistry, faces: readonly { embedding: Float32Array }[]): { name: string; similarity: number } | null {
  let best: { name: string; similarity: number } | null = null;
  for (const f of faces) {
    const m = registry.nearest(f.embedding);
    if (m && (!best || m.similarity > best.similarity)) best = { name: m.name, similarity: Math.round(m.similarity * 1000) / 1000 };
  }
  return best;
}

/**
 * `/api/unknown-faces`: the strangers the cameras saw, grouped by similarity (one group per
 * person, registry/stranger-groups.ts); name a group to enrol its faces, or dismiss it.
 */
export const unknownFaceRoutes: ApiPlugin<UnknownFaceRoutesDeps> = async (app, { store, registry, model }) => {
  app.get('/', { schema: { querystring: listQuery } }, async (req) => {
    const groups = groupStrangers(store.list(model, req.query.event_id), registry.groupThreshold);
    return {
      threshold: registry.groupThreshold,
      faces: groups.reduce((n, g) => n + g.faces.length, 0),
      groups: groups.map((g) => ({
        id: g.id,
        cohesion: g.cohesion,
        first_seen: iso(g.faces[0].time),
        last_seen: iso(g.faces[g.faces.length - 1].time),
        cameras: [...new Set(g.faces.map((f) => f.camera))],
        closest: closestPerson(registry, g.faces),
        faces: g.faces.map((f) => ({ id: f.id, event_id: f.eventId, camera: f.camera, time: iso(f.time), box: f.box, crop: `unknown-faces/${f.id}/crop.jpg` })),
      })),
    };
  });

  app.get('/:id/crop.jpg', { schema: { params: idParams } }, async (req, reply) => {
    const jpeg = store.crop(Number(req.params.id));
    if (!jpeg) throw new HttpError(404, 'face_not_found', `no unknown face ${req.params.id} (it was named, dismissed or pruned)`);
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=86400').send(jpeg);
  });

  /**
   * Enrols each face as `name`, one by one: the registry's duplicate check may refuse a face (it
   * looks like someone else), and says why; the others still go in. Enrolled faces leave the list.
   * A face gone since the page showed it (its stranger was recognised, or it was named, dismissed
   * or pruned) is refused as `face_not_found` and the rest still go in; all of them gone is a 404.
   */
  app.post('/name', { schema: { body: nameBody } }, async (req) => {
    const name = checkPersonName(req.body.name);
    const faces = req.body.faces.map((id) => store.get(id));
    const missing = req.body.faces.filter((_, i) => !faces[i]);
    if (missing.length === faces.length)
      throw new HttpError(404, 'face_not_found', `no unknown face ${missing.join(', ')} (named, dismissed or pruned meanwhile): reload the list`);
    const enrolled: Array<{ face: number; sample: number; likeness: number | null }> = [];
    const refused: Array<{ face: number; code: string; error: string; person?: unknown; similarity?: unknown }> = missing.map((face) => ({
      face,
      code: 'face_not_found',
      error: 'gone meanwhile: its stranger was recognised, or it was named, dismissed or pruned',
    }));
    let person = null;
    for (const f of faces) {
      if (!f) continue;
      try {
        const result = registry.enrol(name, [{ embedding: f.embedding, crop: f.crop, source: 'event', sourceRef: f.eventId, box: f.box }], { force: req.body.force });
        person = result.person;
        enrolled.push({ face: f.id, sample: result.samples[0].id, likeness: result.samples[0].likeness });
      } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        refused.push({ face: f.id, code: err.code, error: err.message, ...err.details });
      }
    }
    store.remove(enrolled.map((e) => e.face));
    // `threshold`: a face added under it to someone with photos (`likeness`) is doubtful (FaceRegistry.enrol)
    return { person: person && personJson(person), threshold: registry.threshold, enrolled, refused };
  });

  app.post('/dismiss', { schema: { body: dismissBody } }, async (req) => ({ removed: store.remove(req.body.faces) }));
};
