import type { ArgusEvent } from '../../events/event.js';
import { MAX_PAGE, type EventStore } from '../../store/events.js';
import type { ProctorSession } from './sessions.js';

export interface ReportIncident {
  event: string;
  cue: string;
  /** ISO times; `end` null while the incident is still open. */
  start: string;
  end: string | null;
  /** Seconds, to a tenth; null while open. */
  duration: number | null;
  score: number;
  snapshot: string | null;
}

export interface SessionReport {
  session: { id: string; camera: string; name: string; started_at: string; ended_at: string | null };
  seats: Array<{ seat: string; candidate: string | null; incidents: ReportIncident[] }>;
  totals: { incidents: number; by_cue: Record<string, number>; by_seat: Record<string, number> };
  /** Faces recognised on the camera during the session (enrolled names), with when they were first and last seen. */
  recognised: Array<{ name: string; first_seen: string; last_seen: string; events: number }>;
}

/** Where an event's snapshot is linked from (a signed or relative URL); null: no link. */
export type SnapshotLink = (event: ArgusEvent) => string | null;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * One exam session's report, from the event store: its incidents are the `suspicious` events
 * whose `session` attribute is its id (sub_label the seat, label the cue). `session` comes from
 * the running Argus when it still holds it; otherwise (after a restart, or from the CLI) the
 * camera and times are read from the incidents themselves, and the name is unknown. Null when
 * neither knows the id. `seats`: the camera's seats, listed even without an incident (a clean seat
 * is part of the record).
 */
export function sessionReport(store: EventStore, id: string, known: ProctorSession | null, link: SnapshotLink, seatNames: readonly string[] = []): SessionReport | null {
  const incidents = store.withAttribute('suspicious', 'session', id);
  if (!known && incidents.length === 0) return null;
  const camera = known?.camera ?? incidents[0].camera;
  const start = known ? known.started_at / 1000 : Math.min(...incidents.map((e) => e.start_time));
  const ended = known ? (known.ended_at === null ? null : known.ended_at / 1000) : Math.max(...incidents.map((e) => e.end_time ?? e.start_time));
  const seats = new Map<string, SessionReport['seats'][number]>(seatNames.map((seat) => [seat, { seat, candidate: null, incidents: [] }]));
  const byCue: Record<string, number> = {};
  const bySeat: Record<string, number> = {};
  for (const e of incidents) {
    const seat = e.sub_label ?? String(e.attributes?.seat ?? 'seat');
    const candidate = typeof e.attributes?.candidate === 'string' ? e.attributes.candidate : null;
    const entry = seats.get(seat) ?? { seat, candidate, incidents: [] };
    entry.candidate ??= candidate;
    seats.set(seat, entry);
    entry.incidents.push(reportIncident(e, ended, link));
    byCue[e.label] = (byCue[e.label] ?? 0) + 1;
    bySeat[seat] = (bySeat[seat] ?? 0) + 1;
  }
  return {
    session: { id, camera, name: known?.name ?? '', started_at: iso(start), ended_at: ended === null ? null : iso(ended) },
    seats: [...seats.values()].sort((a, b) => a.seat.localeCompare(b.seat, undefined, { numeric: true })),
    totals: { incidents: incidents.length, by_cue: byCue, by_seat: bySeat },
    recognised: recognised(store, camera, start, ended),
  };
}

/** One incident as the report gives it. */
function reportIncident(e: ArgusEvent, sessionEnd: number | null, link: SnapshotLink): ReportIncident {
  // An incident is raised a cue's `seconds` after its condition began; the report says when it began.
  const began = beganAt(e);
  // An ended session's incidents end with it: their events close end_after seconds later, and a
  // report read as Stop is pressed said "to open".
  const end = sessionEnd === null ? e.end_time : Math.min(e.end_time ?? sessionEnd, sessionEnd);
  return {
    event: e.id,
    cue: e.label,
    start: iso(began),
    end: end === null ? null : iso(end),
    duration: end === null ? null : Math.round((end - began) * 10) / 10,
    score: Math.round(e.top_score * 100) / 100,
    snapshot: e.snapshot ? link(e) : null,
  };
}

/** When the incident's condition began (`since`), else when it was raised. */
function beganAt(e: ArgusEvent): number {
  const since = typeof e.attributes?.since === 'string' ? Date.parse(e.attributes.since) / 1000 : Number.NaN;
  return Number.isFinite(since) && since <= e.start_time ? since : e.start_time;
}

/** How far before a session a face event may have started and still be going on in it (a visit's hold is minutes). */
const SEATED_BEFORE_S = 12 * 3600;

/**
 * Named faces on the camera during the session (the newest MAX_PAGE face events overlapping it):
 * a candidate seated before the invigilator pressed Start counts, seen from the start; an event
 * still open was last seen at the session's end (or now, while it runs).
 */
function recognised(store: EventStore, camera: string, start: number, end: number | null, now = Date.now() / 1000): SessionReport['recognised'] {
  const until = end ?? now;
  const faces = store
    .query({ camera, kind: 'face', after: start - SEATED_BEFORE_S, before: until, limit: MAX_PAGE })
    .events.filter((e) => e.sub_label && (e.end_time ?? until) >= start);
  const byName = new Map<string, { first: number; last: number; events: number }>();
  for (const f of faces) {
    const name = f.sub_label as string;
    const first = Math.max(start, f.start_time);
    const last = Math.min(until, f.end_time ?? until);
    const seen = byName.get(name) ?? { first, last, events: 0 };
    seen.first = Math.min(seen.first, first);
    seen.last = Math.max(seen.last, last);
    seen.events++;
    byName.set(name, seen);
  }
  return [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, s]) => ({ name, first_seen: iso(s.first), last_seen: iso(s.last), events: s.events }));
}

const CSV_HEADER = ['session', 'camera', 'seat', 'candidate', 'cue', 'start', 'end', 'duration_s', 'score', 'snapshot'];

/** One row per incident, seat by seat (RFC 4180 quoting). */
export function reportCsv(r: SessionReport): string {
  const rows = r.seats.flatMap((s) =>
    s.incidents.map((i) => [r.session.id, r.session.camera, s.seat, s.candidate ?? '', i.cue, i.start, i.end ?? '', i.duration ?? '', i.score, i.snapshot ?? '']),
  );
  return `${[CSV_HEADER, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function csvCell(v: string | number): string {
  const s = String(v);
  // A leading =, +, - or @ makes a spreadsheet run the cell as a formula: quote it as text.
  const guarded = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) || guarded !== s ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}
