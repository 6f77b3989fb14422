import { z } from 'zod';
import type { LoadSample } from '../../stats/load-history.js';
import type { Db } from '../../store/database.js';
import { COUNT_GROUPS, countEvents, type CountGroup } from '../../store/event-counts.js';
import { TelegramSentLog } from '../../store/outbox.js';
import { HttpError } from '../http-error.js';
import type { ApiPlugin } from '../zod-validation.js';

export interface StatsHistoryDeps {
  db: Db;
  /** The analysis load sampled over the last hours (LoadHistory.samples). */
  load: () => LoadSample[];
  now?: () => number;
}

const BUCKETS = { hour: 3600, day: 86_400 } as const;
/** Default spans: two days of hours, a month of days. */
const DEFAULT_SPAN = { hour: 48 * 3600, day: 30 * 86_400 } as const;
/** A chart of more points than this is not one a person reads; it also bounds the answer. */
const MAX_BUCKETS = 1000;

/** Seconds since the epoch, or an ISO 8601 date. */
const time = z.string().transform((v, ctx) => {
  const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v) / 1000;
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: 'a time in seconds since the epoch or an ISO date such as 2026-11-23T10:00:00Z' });
    return z.NEVER;
  }
  return n;
});

const historyQuery = z
  .object({
    bucket: z.enum(['hour', 'day']).default('hour'),
    by: z.enum(Object.keys(COUNT_GROUPS) as [CountGroup, ...CountGroup[]]).default('camera'),
    from: time.optional(),
    to: time.optional(),
    /** Minutes east of UTC of the reader's clock (the browser's `-getTimezoneOffset()`), so days start at their midnight. */
    utc_offset: z.coerce.number().int().min(-840).max(840).default(0),
  })
  .strict();

/**
 * `GET /api/stats/history`: detections per hour or day, by camera, kind or person, with the
 * Telegram alerts sent per bucket; `GET /api/stats/load`: the analysis load sampled over the
 * last hours. Dense arrays (one value per bucket), as a chart takes them.
 */
export const statsHistoryRoutes: ApiPlugin<StatsHistoryDeps> = async (app, { db, load, now = Date.now }) => {
  const sent = new TelegramSentLog(db);

  app.get('/history', { schema: { querystring: historyQuery } }, async (req, reply) => {
    const q = req.query;
    const bucket = BUCKETS[q.bucket];
    const to = q.to ?? now() / 1000;
    const from = q.from ?? to - DEFAULT_SPAN[q.bucket];
    if (!(from < to)) throw new HttpError(400, 'bad_request', `bad query: from (${from}) must be before to (${to})`);
    const utcOffset = q.utc_offset * 60;
    const first = Math.floor((from + utcOffset) / bucket) * bucket - utcOffset;
    const count = Math.ceil((to - first) / bucket);
    if (count > MAX_BUCKETS) {
      throw new HttpError(400, 'bad_request', `bad query: ${count} ${q.bucket}s from "from" to "to"; at most ${MAX_BUCKETS} (choose a shorter span or bucket=day)`);
    }
    const times = Array.from({ length: count }, (_, i) => first + i * bucket);
    const index = new Map(times.map((t, i) => [t, i]));
    const series = new Map<string, number[]>();
    let total = 0;
    for (const row of countEvents(db, { by: q.by, bucket, from, to, utcOffset })) {
      const i = index.get(row.start);
      if (i === undefined) continue;
      if (!series.has(row.group)) series.set(row.group, new Array(count).fill(0));
      series.get(row.group)![i] += row.n;
      total += row.n;
    }
    const notifications = new Array(count).fill(0);
    for (const row of sent.counts({ from, to, bucket, utcOffset })) {
      const i = index.get(row.start);
      if (i !== undefined) notifications[i] += row.n;
    }
    return reply.header('cache-control', 'no-store').send({
      bucket: q.bucket,
      bucket_s: bucket,
      by: q.by,
      from,
      to,
      total,
      times,
      series: [...series].map(([name, counts]) => ({ name, counts })).sort((a, b) => a.name.localeCompare(b.name)),
      notifications,
    });
  });

  app.get('/load', async (_req, reply) => reply.header('cache-control', 'no-store').send({ samples: load() }));
};
