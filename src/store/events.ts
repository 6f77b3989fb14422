import type { ArgusEvent, EventBox, EventKind } from '../events/event.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import { GROUP_SLACK_S, groupEvents, type EventGroup } from './event-groups.js';

export interface EventQuery {
  camera?: string;
  kind?: EventKind;
  label?: string;
  /** The recognised person (sub_label). */
  name?: string;
  zone?: string;
  /** Events that started at or after this time (seconds since the epoch). */
  after?: number;
  /** Events that started before this time. */
  before?: number;
  /** With `before`: also events that started at `before` exactly, with a smaller id (the paging cursor: events of one frame share a start). */
  before_id?: string;
  /** Only events still going on (true) or only ended ones (false). */
  in_progress?: boolean;
  limit?: number;
  offset?: number;
}

export interface EventPage {
  total: number;
  limit: number;
  offset: number;
  events: ArgusEvent[];
}

interface EventRow {
  id: string;
  camera: string;
  kind: string;
  label: string;
  sub_label: string | null;
  score: number;
  top_score: number;
  box: string;
  zones: string;
  start_time: number;
  end_time: number | null;
  snapshot: string | null;
  attributes: string | null;
  updated_at: number;
}

export interface GroupPage {
  groups: EventGroup[];
  /** Pass as `before` and `before_id` for the next page; null on the last. A group may show on two pages (same id). */
  next: { before: number; before_id: string } | null;
}

/** Events read around a page to find the rest of its groups: a bound for a very busy camera. */
const MAX_GROUP_WINDOW = 5000;

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/** The `events` table: one row per event, rewritten as it starts, changes and ends. */
export class EventStore {
  private upsert?: Statement;

  constructor(private readonly db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        id TEXT PRIMARY KEY,
        camera TEXT NOT NULL,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        sub_label TEXT,
        score REAL NOT NULL,
        top_score REAL NOT NULL,
        box TEXT NOT NULL,
        zones TEXT NOT NULL DEFAULT '[]',
        start_time REAL NOT NULL,
        end_time REAL,
        snapshot TEXT,
        attributes TEXT,
        updated_at REAL NOT NULL
      );
      CREATE INDEX IF NOT EXISTS events_start ON events (start_time);
      CREATE INDEX IF NOT EXISTS events_camera_start ON events (camera, start_time);
      CREATE INDEX IF NOT EXISTS events_label ON events (label);
      CREATE INDEX IF NOT EXISTS events_sub_label ON events (sub_label);
      -- Which person event a face, pose or weapon event was seen on (event-groups.ts' FrameLinker).
      CREATE TABLE IF NOT EXISTS event_links (
        event_id TEXT PRIMARY KEY,
        person_event_id TEXT NOT NULL
      );
    `);
  }

  /** Inserts or replaces the event's row (the last write of an event wins). */
  save(event: ArgusEvent, now = Date.now() / 1000): void {
    this.upsert ??= this.db.prepare(
      `INSERT INTO events (id, camera, kind, label, sub_label, score, top_score, box, zones, start_time, end_time, snapshot, attributes, updated_at)
       VALUES (@id, @camera, @kind, @label, @sub_label, @score, @top_score, @box, @zones, @start_time, @end_time, @snapshot, @attributes, @updated_at)
       ON CONFLICT (id) DO UPDATE SET camera = excluded.camera, kind = excluded.kind, label = excluded.label, sub_label = excluded.sub_label,
         score = excluded.score, top_score = excluded.top_score, box = excluded.box, zones = excluded.zones, start_time = excluded.start_time,
         end_time = excluded.end_time, snapshot = excluded.snapshot, attributes = excluded.attributes, updated_at = excluded.updated_at`,
    );
    this.upsert.run({
      id: event.id,
      camera: event.camera,
      kind: event.kind,
      label: event.label,
      sub_label: event.sub_label,
      score: event.score,
      top_score: event.top_score,
      box: JSON.stringify(event.box),
      zones: JSON.stringify(event.zones),
      start_time: event.start_time,
      end_time: event.end_time,
      snapshot: event.snapshot,
      attributes: Object.keys(event.attributes).length > 0 ? JSON.stringify(event.attributes) : null,
      updated_at: now,
    });
  }

  get(id: string): ArgusEvent | null {
    const row = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as EventRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** Newest first, filtered and paged. */
  query(q: EventQuery = {}): EventPage {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const equal = (column: string, value: unknown) => {
      if (value === undefined) return;
      where.push(`${column} = @${column}`);
      params[column] = value;
    };
    equal('camera', q.camera);
    equal('kind', q.kind);
    equal('label', q.label);
    equal('sub_label', q.name);
    if (q.zone !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(events.zones) WHERE value = @zone)');
      params.zone = q.zone;
    }
    if (q.after !== undefined) {
      where.push('start_time >= @after');
      params.after = q.after;
    }
    if (q.before !== undefined) {
      where.push(q.before_id === undefined ? 'start_time < @before' : '(start_time < @before OR (start_time = @before AND id < @before_id))');
      params.before = q.before;
      if (q.before_id !== undefined) params.before_id = q.before_id;
    }
    if (q.in_progress !== undefined) where.push(q.in_progress ? 'end_time IS NULL' : 'end_time IS NOT NULL');
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = Math.min(Math.max(1, q.limit ?? DEFAULT_PAGE), MAX_PAGE);
    const offset = Math.max(0, q.offset ?? 0);
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM events ${clause}`).get(params) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM events ${clause} ORDER BY start_time DESC, id DESC LIMIT @limit OFFSET @offset`).all({ ...params, limit, offset }) as EventRow[];
    return { total, limit, offset, events: rows.map(fromRow) };
  }

  /**
   * The groups (event-groups.ts) of a page of matching events: the page's events are matched by
   * the filters; each group is shown whole, with its events that do not match them.
   */
  groups(q: EventQuery = {}, now = Date.now() / 1000): GroupPage {
    const page = this.query({ ...q, offset: 0 });
    if (page.events.length === 0) return { groups: [], next: null };
    const last = page.events[page.events.length - 1];
    return { groups: this.groupsOf(page.events, now), next: page.events.length === page.limit ? { before: last.start_time, before_id: last.id } : null };
  }

  /** The group an event belongs to (a person's visit with the faces and poses seen on them), or null without the event. */
  groupOf(id: string, now = Date.now() / 1000): EventGroup | null {
    const event = this.get(id);
    return event ? (this.groupsOf([event], now)[0] ?? null) : null;
  }

  /** The whole groups that `events` are in, read with the events around them. */
  private groupsOf(events: readonly ArgusEvent[], now: number): EventGroup[] {
    const cameras = [...new Set(events.map((e) => e.camera))];
    const from = Math.min(...events.map((e) => e.start_time)) - GROUP_SLACK_S;
    const to = Math.max(...events.map((e) => e.end_time ?? now)) + GROUP_SLACK_S;
    const rows = this.db
      .prepare(
        `SELECT * FROM events WHERE camera IN (SELECT value FROM json_each(@cameras)) AND start_time <= @to AND (end_time IS NULL OR end_time >= @from)
         ORDER BY start_time DESC LIMIT ${MAX_GROUP_WINDOW}`,
      )
      .all({ cameras: JSON.stringify(cameras), from, to }) as EventRow[];
    const ids = new Set(events.map((e) => e.id));
    const window = new Map(rows.map((r) => [r.id, fromRow(r)]));
    for (const e of events) window.set(e.id, e);
    const links = this.db
      .prepare('SELECT event_id, person_event_id FROM event_links WHERE event_id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify([...window.keys()])) as Array<{ event_id: string; person_event_id: string }>;
    return groupEvents([...window.values()], now, new Map(links.map((l) => [l.event_id, l.person_event_id]))).filter((g) => g.events.some((e) => ids.has(e.id)));
  }

  /** Records that an event was seen on a person (the first link stays). */
  link(eventId: string, personEventId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO event_links (event_id, person_event_id) VALUES (?, ?)').run(eventId, personEventId);
  }

  /** The events linked to a person event (its face, pose, weapon: seen inside its box). */
  linkedTo(personEventId: string): string[] {
    return (this.db.prepare('SELECT event_id FROM event_links WHERE person_event_id = ?').all(personEventId) as Array<{ event_id: string }>).map((r) => r.event_id);
  }

  /** Past events of a person renamed (or merged into another) carry the new name; returns how many. */
  rename(from: string, to: string): number {
    return this.db.prepare('UPDATE events SET sub_label = ? WHERE sub_label = ? COLLATE NOCASE').run(to, from).changes;
  }

  /** The newest event naming this person, and how many do. */
  lastSeen(name: string): { event: ArgusEvent | null; count: number } {
    const row = this.db.prepare('SELECT * FROM events WHERE sub_label = ? COLLATE NOCASE ORDER BY start_time DESC, id DESC LIMIT 1').get(name) as EventRow | undefined;
    const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM events WHERE sub_label = ? COLLATE NOCASE').get(name) as { n: number };
    return { event: row ? fromRow(row) : null, count: n };
  }

  /** Every event of `kind` whose attribute `name` is `value` (an exam session's incidents), oldest first. */
  withAttribute(kind: EventKind, name: string, value: string): ArgusEvent[] {
    const rows = this.db.prepare("SELECT * FROM events WHERE kind = ? AND json_extract(attributes, '$.' || ?) = ? ORDER BY start_time, id").all(kind, name, value) as EventRow[];
    return rows.map(fromRow);
  }

  /** Returns whether a row was deleted. */
  delete(id: string): boolean {
    this.db.prepare('DELETE FROM event_links WHERE event_id = ? OR person_event_id = ?').run(id, id);
    return this.db.prepare('DELETE FROM events WHERE id = ?').run(id).changes > 0;
  }

  /** Deletes ended events that started before `time`; returns their ids (their snapshots go too). */
  deleteStartedBefore(time: number): string[] {
    return this.db.transaction(() => {
      const ids = (this.db.prepare('SELECT id FROM events WHERE start_time < ? AND end_time IS NOT NULL').all(time) as Array<{ id: string }>).map((r) => r.id);
      this.db.prepare('DELETE FROM events WHERE start_time < ? AND end_time IS NOT NULL').run(time);
      this.db.prepare('DELETE FROM event_links WHERE event_id NOT IN (SELECT id FROM events)').run();
      return ids;
    })();
  }

  /** The snapshot files of these events are gone: say so in their rows. */
  clearSnapshots(ids: readonly string[]): void {
    const clear = this.db.prepare('UPDATE events SET snapshot = NULL WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) clear.run(id);
    })();
  }

  /**
   * Ends events left open by a crash or power cut, at the time they were last written.
   * Called once at start-up, before any new event; returns the events it ended, as they are now.
   */
  closeInterrupted(): ArgusEvent[] {
    const rows = this.db.prepare('UPDATE events SET end_time = MAX(start_time, updated_at) WHERE end_time IS NULL RETURNING *').all() as EventRow[];
    return rows.map(fromRow);
  }
}

function fromRow(row: EventRow): ArgusEvent {
  const event: ArgusEvent = {
    id: row.id,
    camera: row.camera,
    kind: row.kind as EventKind,
    label: row.label,
    sub_label: row.sub_label,
    score: row.score,
    top_score: row.top_score,
    box: JSON.parse(row.box) as EventBox,
    zones: JSON.parse(row.zones) as string[],
    start_time: row.start_time,
    end_time: row.end_time,
    snapshot: row.snapshot,
    attributes: row.attributes ? (JSON.parse(row.attributes) as Record<string, unknown>) : {},
  };
  return event;
}
