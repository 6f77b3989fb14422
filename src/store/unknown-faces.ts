import type { Detection } from '../events/analyzed-frame.js';
import type { ArgusEvent } from '../events/event.js';
import type { Db } from './database.js';
import { embeddingFromBlob } from './people.js';

/** An unknown face as a camera saw it: enough to show it, group it with others and enrol it later. */
export interface UnknownFace {
  id: number;
  eventId: string;
  camera: string;
  /** Seconds since the epoch (as events are). */
  time: number;
  /** The embedder that made it: embeddings of different models never compare. */
  model: string;
  embedding: Float32Array;
  box: [number, number, number, number];
}

interface Row {
  id: number;
  event_id: string;
  camera: string;
  time: number;
  model: string;
  embedding: Buffer;
  box: string;
}

export interface UnknownFaceLimits {
  /** At most this many are kept; the oldest go first. */
  maxCount: number;
  /** Faces older than this many seconds go. */
  maxAgeSeconds: number;
}

/**
 * A week of strangers, at most 500 (about 8 MB of crops): enough to name a household's visitors,
 * and few enough to group at each request (stranger-groups.ts is cubic in the worst case).
 */
export const DEFAULT_UNKNOWN_LIMITS: UnknownFaceLimits = { maxCount: 500, maxAgeSeconds: 7 * 86_400 };

const face = (r: Row): UnknownFace => ({
  id: r.id,
  eventId: r.event_id,
  camera: r.camera,
  time: r.time,
  model: r.model,
  embedding: embeddingFromBlob(r.embedding),
  box: JSON.parse(r.box) as UnknownFace['box'],
});

/**
 * The `unknown_faces` table: faces nobody has named yet, each with its embedding and crop, kept
 * for the "Who is this?" page. Capped in count and age; naming or dismissing a face removes it.
 */
export class UnknownFaceStore {
  constructor(
    private readonly db: Db,
    private readonly limits: UnknownFaceLimits = DEFAULT_UNKNOWN_LIMITS,
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS unknown_faces (
        -- AUTOINCREMENT: an id is never reused, so a page naming face 3 never names another face 3.
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL,
        camera TEXT NOT NULL,
        time REAL NOT NULL,
        model TEXT NOT NULL,
        embedding BLOB NOT NULL,
        crop BLOB NOT NULL,
        box TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS unknown_faces_time ON unknown_faces (time);
      CREATE INDEX IF NOT EXISTS unknown_faces_event ON unknown_faces (event_id);
    `);
  }

  /**
   * Keeps a detection if it is an unknown face with its embedding and crop (what the faces
   * analyzer attaches to strangers); returns the new row's id, or undefined when it is not one.
   * A face that is named drops the faces its event kept: the stranger turned out to be known.
   */
  keep(event: Pick<ArgusEvent, 'id' | 'camera'>, d: Detection, model: string, time: number): number | undefined {
    if (d.kind !== 'face') return undefined;
    if (d.sub_label) {
      this.removeEvent(event.id);
      return undefined;
    }
    const { embedding, crop } = d.attributes ?? {};
    if (!(embedding instanceof Float32Array) || !Buffer.isBuffer(crop)) return undefined;
    const blob = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
    const id = this.db.transaction(() => {
      const info = this.db
        .prepare('INSERT INTO unknown_faces (event_id, camera, time, model, embedding, crop, box) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(event.id, event.camera, time, model, blob, crop, JSON.stringify(d.box));
      this.prune(time);
      return Number(info.lastInsertRowid);
    })();
    return id;
  }

  /** Drops faces past the age limit and the oldest beyond the count limit. */
  prune(now: number): number {
    const old = this.db.prepare('DELETE FROM unknown_faces WHERE time < ?').run(now - this.limits.maxAgeSeconds).changes;
    const over = this.db
      .prepare('DELETE FROM unknown_faces WHERE id IN (SELECT id FROM unknown_faces ORDER BY time DESC, id DESC LIMIT -1 OFFSET ?)')
      .run(this.limits.maxCount).changes;
    return old + over;
  }

  /** Every kept face of this model (others are never compared), oldest first; `eventId` narrows to one event's. */
  list(model: string, eventId?: string): UnknownFace[] {
    const rows =
      eventId === undefined
        ? this.db.prepare<[string], Row>('SELECT id, event_id, camera, time, model, embedding, box FROM unknown_faces WHERE model = ? ORDER BY time, id').all(model)
        : this.db
            .prepare<[string, string], Row>('SELECT id, event_id, camera, time, model, embedding, box FROM unknown_faces WHERE model = ? AND event_id = ? ORDER BY time, id')
            .all(model, eventId);
    return rows.map(face);
  }

  get(id: number): (UnknownFace & { crop: Buffer }) | undefined {
    const r = this.db.prepare<[number], Row & { crop: Buffer }>('SELECT * FROM unknown_faces WHERE id = ?').get(id);
    return r && { ...face(r), crop: r.crop };
  }

  crop(id: number): Buffer | undefined {
    return this.db.prepare<[number], { crop: Buffer }>('SELECT crop FROM unknown_faces WHERE id = ?').get(id)?.crop;
  }

  /** Removes these faces (named or dismissed); returns how many there were. */
  remove(ids: readonly number[]): number {
    const del = this.db.prepare('DELETE FROM unknown_faces WHERE id = ?');
    return this.db.transaction(() => ids.reduce((n, id) => n + del.run(id).changes, 0))();
  }

  /** An event was deleted: its faces go with it. */
  removeEvent(eventId: string): number {
    return this.db.prepare('DELETE FROM unknown_faces WHERE event_id = ?').run(eventId).changes;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM unknown_faces').get() as { n: number }).n;
  }
}
