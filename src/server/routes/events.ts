import type { FastifyReply } from 'fastify';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { ArgusEvent, EventMessage } from '../../events/event.js';
import { localDay } from '../../events/event-log.js';
import type { SnapshotFile, SnapshotStore } from '../../events/snapshot-store.js';
import { MAX_PAGE, type EventStore } from '../../store/events.js';
import { HttpError } from '../http-error.js';
import type { ApiPlugin } from '../zod-validation.js';

export interface EventRouteDeps {
  store: EventStore;
  snapshots: SnapshotStore;
  /** The analyzers' event kinds (EventKinds.names), for `?kind=` and `GET /api/events/kinds`. */
  kinds: readonly string[];
  /** `<data>/logs`: the daily event logs, where an event's updates over time are read back. */
  logDir?: string;
  /** After an event was deleted (its unknown faces go with it). */
  onDelete?: (id: string) => void;
}

/** An event's history is read from the logs of the days it spans, at most this many. */
const MAX_HISTORY_DAYS = 3;
const MAX_HISTORY = 500;

/** Every message about the event in the daily logs, oldest first: its start, updates and end. */
async function historyOf(logDir: string, event: ArgusEvent): Promise<Array<EventMessage & { time: number }>> {
  const days = new Set<string>();
  const end = event.end_time ?? Date.now() / 1000;
  for (let t = event.start_time; t <= end + 86_400 && days.size < MAX_HISTORY_DAYS; t += 86_400) days.add(localDay(Math.min(t, end)));
  const out: Array<EventMessage & { time: number }> = [];
  for (const day of days) {
    const path = join(logDir, `${day}.jsonl`);
    if (!existsSync(path)) continue;
    for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
      if (!line.includes(event.id) || out.length >= MAX_HISTORY) continue;
      try {
        const m = JSON.parse(line) as EventMessage & { time: number };
        if (m.event?.id === event.id) out.push(m);
      } catch {
        // a line cut by a crash: skip it
      }
    }
  }
  return out;
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

const text = z.string().max(200);

const filtersFor = (kinds: readonly string[]) =>
  z
    .object({
      camera: text.optional(),
      kind: z
        .string()
        .refine((k) => kinds.includes(k), { message: `one of ${kinds.join(', ')}` })
        .optional(),
      label: text.optional(),
      name: text.optional(),
      zone: text.optional(),
      after: time.optional(),
      before: time.optional(),
      /** With `before`: the paging cursor's id (events of one frame share their start time). */
      before_id: z.string().min(1).max(128).optional(),
      in_progress: z
        .enum(['true', 'false'])
        .transform((v) => v === 'true')
        .optional(),
      limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
    })
    .strict();

const listQueryFor = (kinds: readonly string[]) =>
  filtersFor(kinds)
    .extend({ offset: z.coerce.number().int().min(0).optional() })
    .strict();

/** Event ids are short (`<start time>-<random>`); the bound keeps a hostile one out of messages. */
const idParams = z.object({ id: z.string().min(1).max(128) });

/** `/api/events…`: list with filters and paging, one event, its snapshot and crop, delete. */
export const eventRoutes: ApiPlugin<EventRouteDeps> = async (app, { store, snapshots, kinds, logDir, onDelete }) => {
  const listQuery = listQueryFor(kinds);
  const groupQuery = filtersFor(kinds);
  const find = (id: string) => {
    const event = store.get(id);
    if (!event) throw new HttpError(404, 'event_not_found', `no event with id "${id}" (it may have been deleted or pruned by retention)`);
    return event;
  };

  app.get('/', { schema: { querystring: listQuery } }, async (req) => store.query(req.query));

  /** The kinds events can have, in the analyzers' order (the UI's kind filter). */
  app.get('/kinds', async () => ({ kinds }));

  /** What happened, grouped (store/event-groups.ts); page on with `before=<next>`. */
  app.get('/groups', { schema: { querystring: groupQuery } }, async (req) => store.groups(req.query));

  app.get('/:id', { schema: { params: idParams } }, async (req) => find(req.params.id));

  /** The group the event is in: the visit it was part of, with its name and the other events seen with it. */
  app.get('/:id/group', { schema: { params: idParams } }, async (req) => ({ group: store.groupOf(find(req.params.id).id) }));

  /** The event's messages over time (start, updates, end), from the daily logs. */
  app.get('/:id/history', { schema: { params: idParams } }, async (req) => {
    const event = find(req.params.id);
    return { history: logDir ? await historyOf(logDir, event) : [] };
  });

  const image = (file: SnapshotFile) => async (req: { params: { id: string } }, reply: FastifyReply) => {
    const { id } = find(req.params.id);
    const jpeg = await snapshots.load(id, file);
    if (!jpeg) throw new HttpError(404, 'snapshot_not_found', `event "${id}" has no ${file} (none was saved, or retain.max_mb pruned it)`);
    // The best snapshot can still change while the event goes on.
    return reply.type('image/jpeg').header('cache-control', 'no-cache').send(jpeg);
  };
  app.get('/:id/snapshot.jpg', { schema: { params: idParams } }, image('snapshot.jpg'));
  app.get('/:id/crop.jpg', { schema: { params: idParams } }, image('crop.jpg'));

  app.delete('/:id', { schema: { params: idParams } }, async (req, reply) => {
    const event = find(req.params.id);
    if (event.end_time === null) throw new HttpError(409, 'event_in_progress', `event "${event.id}" is still going on; delete it after it ends`);
    store.delete(event.id);
    await snapshots.remove(event.id);
    onDelete?.(event.id);
    return reply.code(204).send();
  });
};
