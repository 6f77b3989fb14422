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
    `);
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
