import type { Db } from './database.js';

/** What the statistics group detections by: the camera, the event kind, or the person a face was matched to. */
export const COUNT_GROUPS = { camera: 'camera', kind: 'kind', person: 'sub_label' } as const;
export type CountGroup = keyof typeof COUNT_GROUPS;

export interface CountQuery {
  by: CountGroup;
  /** Bucket length in seconds (3600 an hour, 86 400 a day). */
  bucket: number;
  /** Seconds since the epoch: events that started in [from, to). */
  from: number;
  to: number;
  /** Seconds east of UTC of the reader's clock, so a day bucket starts at their midnight. */
  utcOffset: number;
}

/** One bucket's count for one group value (`start` is the bucket's first second, UTC). */
export interface CountRow {
  start: number;
  group: string;
  n: number;
}

/**
 * Detections over time from the `events` table (one row per event, so an event counts once, in
 * the bucket it started in). Faces nobody was matched to are left out of `by: person`.
 */
export function countEvents(db: Db, q: CountQuery): CountRow[] {
  const column = COUNT_GROUPS[q.by];
  const named = q.by === 'person' ? `AND ${column} IS NOT NULL` : '';
  // Shifted into the reader's clock, floored to the bucket, shifted back: buckets start at their midnight or hour.
  return db
    .prepare(
      `SELECT CAST((CAST((start_time + @offset) / @bucket AS INTEGER) * @bucket) - @offset AS INTEGER) AS start, ${column} AS "group", COUNT(*) AS n
       FROM events WHERE start_time >= @from AND start_time < @to ${named}
       GROUP BY start, "group" ORDER BY start, "group"`,
    )
    .all({ offset: q.utcOffset, bucket: q.bucket, from: q.from, to: q.to }) as CountRow[];
}
