import type { Db } from '../../store/database.js';

/**
 * What the Home Assistant MQTT output remembers across restarts: the discovery configs it last
 * published (to publish only changes and to clear cameras that left the config) and which
 * cameras are paused.
 */
export class HaStore {
  constructor(private readonly db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ha_discovery (topic TEXT PRIMARY KEY, payload TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ha_paused (camera TEXT PRIMARY KEY);
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
}
