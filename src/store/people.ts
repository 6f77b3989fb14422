import type { Db } from './database.js';

/** Times are milliseconds since the epoch. */
export interface Person {
  id: number;
  name: string;
  externalId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface PersonSummary extends Person {
  samples: number;
  /** The newest sample that has a crop: the person's picture in lists. */
  thumbnailSampleId: number | null;
}

/** Where a sample came from: an uploaded photo, an event's unknown face, or an imported archive. */
export type SampleSource = 'photo' | 'event' | 'import';

export interface NewSample {
  /** The embedder that made it (`faceres`, `mobilefacenet`): embeddings of different models never compare. */
  model: string;
  embedding: Float32Array;
  /** JPEG of the face as it was enrolled, for the UI and for re-enrolment with another model. */
  crop: Buffer | null;
  source: SampleSource;
  /** The photo's file name or the event id. */
  sourceRef: string | null;
  /** [x1, y1, x2, y2] of the face in its source, in pixels. */
  box: [number, number, number, number] | null;
  createdAt: number;
}

export interface FaceSample extends NewSample {
  id: number;
  personId: number;
}

/** A sample without its embedding and crop: what lists show. */
export type SampleInfo = Omit<FaceSample, 'embedding' | 'crop'> & { hasCrop: boolean };

interface PersonRow {
  id: number;
  name: string;
  external_id: string | null;
  created_at: number;
  updated_at: number;
}

interface SampleRow {
  id: number;
  person_id: number;
  model: string;
  embedding: Buffer;
  crop: Buffer | null;
  source: SampleSource;
  source_ref: string | null;
  box: string | null;
  created_at: number;
}

const person = (r: PersonRow): Person => ({ id: r.id, name: r.name, externalId: r.external_id, createdAt: r.created_at, updatedAt: r.updated_at });

/** Copies the blob: a Buffer's offset need not be 4-byte aligned for a Float32Array view. */
export function embeddingFromBlob(blob: Buffer): Float32Array {
  const out = new Float32Array(blob.length / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

function blobOf(embedding: Float32Array): Buffer {
  return Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
}

const sample = (r: SampleRow): FaceSample => ({
  id: r.id,
  personId: r.person_id,
  model: r.model,
  embedding: embeddingFromBlob(r.embedding),
  crop: r.crop,
  source: r.source,
  sourceRef: r.source_ref,
  box: r.box ? (JSON.parse(r.box) as FaceSample['box']) : null,
  createdAt: r.created_at,
});

/**
 * People and their face samples in `argus.db`. Every method is one statement; callers group
 * changes with `transaction()` so a crash leaves either all of a change or none of it.
 */
export class PeopleStore {
  constructor(private readonly db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS people (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        external_id TEXT UNIQUE,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS face_samples (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        embedding BLOB NOT NULL,
        crop BLOB,
        source TEXT NOT NULL,
        source_ref TEXT,
        box TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS face_samples_person ON face_samples(person_id);
      -- The highest person id ever given: an id is never given twice (HA's person entities and
      -- their sightings are keyed by it), even after the newest person was deleted. Started from
      -- the ids there are when the table first appears.
      CREATE TABLE IF NOT EXISTS people_last_id (id INTEGER NOT NULL);
      INSERT INTO people_last_id SELECT COALESCE(MAX(id), 0) FROM people WHERE NOT EXISTS (SELECT 1 FROM people_last_id);
    `);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Changes when another connection (another `argus` process) commits: time to reload. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  byName(name: string): Person | undefined {
    const r = this.db.prepare<[string], PersonRow>('SELECT * FROM people WHERE name = ?').get(name);
    return r && person(r);
  }

  byId(id: number): Person | undefined {
    const r = this.db.prepare<[number], PersonRow>('SELECT * FROM people WHERE id = ?').get(id);
    return r && person(r);
  }

  /** `id`: the one it had (an import); otherwise one never given before. */
  createPerson(name: string, externalId: string | null, now: number, id?: number): Person {
    return this.db.transaction(() => {
      const given = id ?? (this.db.prepare('SELECT MAX((SELECT id FROM people_last_id), COALESCE((SELECT MAX(id) FROM people), 0)) + 1 AS next').get() as { next: number }).next;
      this.db.prepare('INSERT INTO people (id, name, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(given, name, externalId, now, now);
      this.db.prepare('UPDATE people_last_id SET id = MAX(id, ?)').run(given);
      return { id: given, name, externalId, createdAt: now, updatedAt: now };
    })();
  }

  updatePerson(id: number, change: { name?: string; externalId?: string | null }, now: number): void {
    const current = this.byId(id);
    if (!current) return;
    this.db
      .prepare('UPDATE people SET name = ?, external_id = ?, updated_at = ? WHERE id = ?')
      .run(change.name ?? current.name, change.externalId === undefined ? current.externalId : change.externalId, now, id);
  }

  touch(id: number, now: number): void {
    this.db.prepare('UPDATE people SET updated_at = ? WHERE id = ?').run(now, id);
  }

  /** Removes the person and, by the foreign key's cascade, all their samples. */
  deletePerson(id: number): void {
    this.db.prepare('DELETE FROM people WHERE id = ?').run(id);
  }

  byExternalId(externalId: string): Person | undefined {
    const r = this.db.prepare<[string], PersonRow>('SELECT * FROM people WHERE external_id = ?').get(externalId);
    return r && person(r);
  }

  list(): PersonSummary[] {
    const rows = this.db
      .prepare<[], PersonRow & { samples: number; thumb: number | null }>(
        `SELECT p.*, COUNT(s.id) AS samples,
                (SELECT id FROM face_samples t WHERE t.person_id = p.id AND t.crop IS NOT NULL ORDER BY t.id DESC LIMIT 1) AS thumb
           FROM people p LEFT JOIN face_samples s ON s.person_id = p.id
          GROUP BY p.id ORDER BY p.name COLLATE NOCASE`,
      )
      .all();
    return rows.map((r) => ({ ...person(r), samples: r.samples, thumbnailSampleId: r.thumb }));
  }

  /** The person's newest crop, for lists. */
  thumbnailOf(personId: number): Buffer | undefined {
    const r = this.db.prepare<[number], { crop: Buffer }>('SELECT crop FROM face_samples WHERE person_id = ? AND crop IS NOT NULL ORDER BY id DESC LIMIT 1').get(personId);
    return r?.crop;
  }

  addSample(personId: number, s: NewSample): number {
    const info = this.db
      .prepare('INSERT INTO face_samples (person_id, model, embedding, crop, source, source_ref, box, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(personId, s.model, blobOf(s.embedding), s.crop, s.source, s.sourceRef, s.box ? JSON.stringify(s.box) : null, s.createdAt);
    return Number(info.lastInsertRowid);
  }

  sample(id: number): FaceSample | undefined {
    const r = this.db.prepare<[number], SampleRow>('SELECT * FROM face_samples WHERE id = ?').get(id);
    return r && sample(r);
  }

  samplesOf(personId: number): SampleInfo[] {
    return this.db
      .prepare<[number], Omit<SampleRow, 'embedding' | 'crop'> & { has_crop: number }>(
        'SELECT id, person_id, model, source, source_ref, box, created_at, crop IS NOT NULL AS has_crop FROM face_samples WHERE person_id = ? ORDER BY id',
      )
      .all(personId)
      .map((r) => ({
        id: r.id,
        personId: r.person_id,
        model: r.model,
        source: r.source,
        sourceRef: r.source_ref,
        box: r.box ? (JSON.parse(r.box) as FaceSample['box']) : null,
        createdAt: r.created_at,
        hasCrop: r.has_crop === 1,
      }));
  }

  /** Gives every sample of one person to another (a merge). */
  moveSamples(fromId: number, toId: number): number {
    return this.db.prepare('UPDATE face_samples SET person_id = ? WHERE person_id = ?').run(toId, fromId).changes;
  }

  deleteSample(id: number): void {
    this.db.prepare('DELETE FROM face_samples WHERE id = ?').run(id);
  }

  /** Every sample's embedding, one row at a time (the registry may hold tens of thousands). */
  *embeddings(): Generator<{ id: number; personId: number; model: string; embedding: Float32Array }> {
    const stmt = this.db.prepare<[], Pick<SampleRow, 'id' | 'person_id' | 'model' | 'embedding'>>('SELECT id, person_id, model, embedding FROM face_samples ORDER BY id');
    for (const r of stmt.iterate()) yield { id: r.id, personId: r.person_id, model: r.model, embedding: embeddingFromBlob(r.embedding) };
  }

  /** Everything, crops included: for export. */
  *allSamples(): Generator<FaceSample> {
    for (const r of this.db.prepare<[], SampleRow>('SELECT * FROM face_samples ORDER BY id').iterate()) yield sample(r);
  }

  people(): Person[] {
    return this.db.prepare<[], PersonRow>('SELECT * FROM people ORDER BY id').all().map(person);
  }

  /** Empties the registry; only ever called inside a transaction that fills it again. */
  deleteAll(): void {
    this.db.prepare('DELETE FROM face_samples').run();
    this.db.prepare('DELETE FROM people').run();
  }

  counts(): { people: number; samples: number } {
    const r = this.db.prepare<[], { people: number; samples: number }>('SELECT (SELECT COUNT(*) FROM people) AS people, (SELECT COUNT(*) FROM face_samples) AS samples').get();
    return r ?? { people: 0, samples: 0 };
  }
}
