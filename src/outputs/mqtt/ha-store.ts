import type { ArgusEvent } from '../../events/event.js';
import type { Db } from '../../store/database.js';

/** Where and when an enrolled person was last seen, as their HA sensor shows it. */
export interface Sighting {
  personId: number;
  camera: string;
  /** Seconds since the epoch. */
  time: number;
  similarity: number | null;
  eventId: string;
  /** The event's snapshot path (`events/<id>/snapshot.jpg`), signed afresh whenever it is published. */
  snapshot: string | null;
}

/**
 * What the Home Assistant MQTT output remembers across restarts: the discovery configs it last
 * published (to publish only changes and to clear cameras that left the config), which cameras
 * are paused, the cameras a source such as Frigate reported (so a restart does not remove their
 * devices before Frigate answers) and each person's last sighting.
 */
export interface LastValue {
  state: string;
  attributes: Record<string, unknown>;
}

export class HaStore {
  constructor(private readonly db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ha_discovery (topic TEXT PRIMARY KEY, payload TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ha_paused (camera TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS ha_source_cameras (source TEXT NOT NULL, camera TEXT NOT NULL, PRIMARY KEY (source, camera));
      CREATE TABLE IF NOT EXISTS ha_sightings (
        person_id INTEGER PRIMARY KEY, camera TEXT NOT NULL, time REAL NOT NULL,
        similarity REAL, event_id TEXT NOT NULL, snapshot TEXT
      );
      CREATE TABLE IF NOT EXISTS ha_last_values (
        camera TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, attributes TEXT NOT NULL, PRIMARY KEY (camera, key)
      );
      CREATE TABLE IF NOT EXISTS ha_last_snapshot (camera TEXT PRIMARY KEY, event TEXT NOT NULL);
    `);
  }

  /** A camera's last-value sensors (Last face…) as last sent: a restart, and a broker that forgot them, get them back. */
  lastValues(camera: string): Map<string, LastValue> {
    const rows = this.db.prepare('SELECT key, state, attributes FROM ha_last_values WHERE camera = ?').all(camera) as Array<{ key: string; state: string; attributes: string }>;
    return new Map(rows.map((r) => [r.key, { state: r.state, attributes: JSON.parse(r.attributes) as Record<string, unknown> }]));
  }

  saveLastValue(camera: string, key: string, value: LastValue): void {
    this.db
      .prepare(
        'INSERT INTO ha_last_values (camera, key, state, attributes) VALUES (?, ?, ?, ?) ON CONFLICT(camera, key) DO UPDATE SET state = excluded.state, attributes = excluded.attributes',
      )
      .run(camera, key, value.state, JSON.stringify(value.attributes));
  }

  /** The event whose snapshot a camera's image entity last showed. */
  lastSnapshot(camera: string): ArgusEvent | null {
    const row = this.db.prepare('SELECT event FROM ha_last_snapshot WHERE camera = ?').get(camera) as { event: string } | undefined;
    return row ? (JSON.parse(row.event) as ArgusEvent) : null;
  }

  saveLastSnapshot(camera: string, event: ArgusEvent): void {
    this.db.prepare('INSERT INTO ha_last_snapshot (camera, event) VALUES (?, ?) ON CONFLICT(camera) DO UPDATE SET event = excluded.event').run(camera, JSON.stringify(event));
  }

  publishedConfigs(): Map<string, string> {
    const rows = this.db.prepare('SELECT topic, payload FROM ha_discovery').all() as Array<{ topic: string; payload: string }>;
    return new Map(rows.map((r) => [r.topic, r.payload]));
  }

  savePublished(topic: string, payload: string): void {
    this.db.prepare('INSERT INTO ha_discovery (topic, payload) VALUES (?, ?) ON CONFLICT(topic) DO UPDATE SET payload = excluded.payload').run(topic, payload);
  }

  forgetPublished(topic: string): void {
    this.db.prepare('DELETE FROM ha_discovery WHERE topic = ?').run(topic);
  }

  isPaused(camera: string): boolean {
    return this.db.prepare('SELECT 1 FROM ha_paused WHERE camera = ?').get(camera) !== undefined;
  }

  setPaused(camera: string, paused: boolean): void {
    if (paused) this.db.prepare('INSERT OR IGNORE INTO ha_paused (camera) VALUES (?)').run(camera);
    else this.db.prepare('DELETE FROM ha_paused WHERE camera = ?').run(camera);
  }

  sourceCameras(source: string): string[] {
    const rows = this.db.prepare('SELECT camera FROM ha_source_cameras WHERE source = ? ORDER BY camera').all(source) as Array<{ camera: string }>;
    return rows.map((r) => r.camera);
  }

  /** `complete`: the source's whole list replaces what was remembered; otherwise the cameras are added. */
  saveSourceCameras(source: string, cameras: string[], complete: boolean): void {
    this.db.transaction(() => {
      if (complete) this.db.prepare('DELETE FROM ha_source_cameras WHERE source = ?').run(source);
      const insert = this.db.prepare('INSERT OR IGNORE INTO ha_source_cameras (source, camera) VALUES (?, ?)');
      for (const camera of cameras) insert.run(source, camera);
    })();
  }

  sightings(): Sighting[] {
    const rows = this.db.prepare('SELECT person_id, camera, time, similarity, event_id, snapshot FROM ha_sightings').all() as Array<{
      person_id: number;
      camera: string;
      time: number;
      similarity: number | null;
      event_id: string;
      snapshot: string | null;
    }>;
    return rows.map((r) => ({ personId: r.person_id, camera: r.camera, time: r.time, similarity: r.similarity, eventId: r.event_id, snapshot: r.snapshot }));
  }

  saveSighting(s: Sighting): void {
    this.db
      .prepare(
        `INSERT INTO ha_sightings (person_id, camera, time, similarity, event_id, snapshot) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(person_id) DO UPDATE SET camera = excluded.camera, time = excluded.time, similarity = excluded.similarity,
           event_id = excluded.event_id, snapshot = excluded.snapshot`,
      )
      .run(s.personId, s.camera, s.time, s.similarity, s.eventId, s.snapshot);
  }

  forgetSighting(personId: number): void {
    this.db.prepare('DELETE FROM ha_sightings WHERE person_id = ?').run(personId);
  }
}
