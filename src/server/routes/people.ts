import type { FaceRegistry } from '../../registry/face-registry.js';
import type { EventStore } from '../../store/events.js';
import type { ApiPlugin } from '../zod-validation.js';
import { personJson } from './face-json.js';

export interface PeopleRoutesDeps {
  registry: FaceRegistry;
  events: EventStore;
}

/**
 * `GET /api/people`: the registry's people with where and when each was last seen (their newest
 * named event) and how many events name them, for the People page.
 */
export const peopleRoutes: ApiPlugin<PeopleRoutesDeps> = async (app, { registry, events }) => {
  app.get('/', async () => ({
    people: registry.list().map((p) => {
      const { event, count } = events.lastSeen(p.name);
      return {
        ...personJson(p),
        events: count,
        last_seen: event && { event_id: event.id, camera: event.camera, time: new Date((event.end_time ?? event.start_time) * 1000).toISOString(), snapshot: event.snapshot },
      };
    }),
  }));
};
