import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { SnapshotFile, SnapshotStore } from '../../events/snapshot-store.js';
import { MAX_PAGE, type EventStore } from '../../store/events.js';

export interface EventRouteDeps {
  store: EventStore;
  snapshots: SnapshotStore;
  /** The analyzers' event kinds, for `?kind=`. */
  kinds: readonly string[];
}

/** A time as seconds since the epoch, or an ISO 8601 date. */
const time = z.string().transform((v, ctx) => {
  const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v) / 1000;
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: 'a time in seconds since the epoch or an ISO date such as 2026-11-23T10:00:00Z' });
    return z.NEVER;
  }
  return n;
});

const listQueryFor = (kinds: readonly string[]) =>
  z
  .object({
    camera: z.string().optional(),
    kind: z.string().refine((k) => kinds.includes(k), { message: `one of ${kinds.join(', ')}` }).optional(),
    label: z.string().optional(),
    name: z.string().optional(),
    zone: z.string().optional(),
    after: time.optional(),
    before: time.optional(),
    in_progress: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .strict();

function badQuery(reply: FastifyReply, error: z.ZodError, listQuery: ReturnType<typeof listQueryFor>): FastifyReply {
  const issue = error.issues[0];
  const key = issue.path.join('.');
  const why = issue.code === 'unrecognized_keys' ? `unknown parameter(s) ${issue.keys.join(', ')}; known: ${Object.keys(listQuery.shape).join(', ')}` : `${key}: ${issue.message}`;
  return reply.code(400).send({ error: `bad query: ${why}` });
}

/** `/api/events…`: list with filters and paging, one event, its snapshot and crop, delete. */
export function eventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  const { store, snapshots } = deps;
  const listQuery = listQueryFor(deps.kinds);
  const missing = (reply: FastifyReply, id: string) => reply.code(404).send({ error: `no event with id "${id}" (it may have been deleted or pruned by retention)` });

  app.get('/api/events', async (req, reply) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) return badQuery(reply, parsed.error, listQuery);
    return store.query(parsed.data);
  });

  app.get<{ Params: { id: string } }>('/api/events/:id', async (req, reply) => {
    const event = store.get(req.params.id);
    return event ?? missing(reply, req.params.id);
  });

  const image = (file: SnapshotFile) => async (req: { params: { id: string } }, reply: FastifyReply) => {
    const { id } = req.params;
    if (!store.get(id)) return missing(reply, id);
    const jpeg = await snapshots.load(id, file);
    if (!jpeg) return reply.code(404).send({ error: `event "${id}" has no ${file} (none was saved, or retain.max_mb pruned it)` });
    // The best snapshot can still change while the event goes on.
    return reply.type('image/jpeg').header('cache-control', 'no-cache').send(jpeg);
  };
  app.get<{ Params: { id: string } }>('/api/events/:id/snapshot.jpg', image('snapshot.jpg'));
  app.get<{ Params: { id: string } }>('/api/events/:id/crop.jpg', image('crop.jpg'));

  app.delete<{ Params: { id: string } }>('/api/events/:id', async (req, reply) => {
    const { id } = req.params;
    const event = store.get(id);
    if (!event) return missing(reply, id);
    if (event.end_time === null) return reply.code(409).send({ error: `event "${id}" is still going on; delete it after it ends` });
    store.delete(id);
    await snapshots.remove(id);
    return reply.code(204).send();
  });
}
