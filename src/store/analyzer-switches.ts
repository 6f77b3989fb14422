import type { Db } from './database.js';

/**
 * Analyzers a user switched off on one camera from the web UI (the Cameras page), over what the
 * config turns on: kept in SQLite so a restart keeps them. Only "off" is stored; an analyzer the
 * config leaves off cannot be switched on here.
 */
export class AnalyzerSwitchStore {
  private readonly off = new Set<string>();

  constructor(private readonly db: Db) {
    db.exec('CREATE TABLE IF NOT EXISTS analyzer_off (camera TEXT NOT NULL, analyzer TEXT NOT NULL, PRIMARY KEY (camera, analyzer))');
    // Read once: the frame analyzer asks on every frame.
    for (const r of db.prepare('SELECT camera, analyzer FROM analyzer_off').all() as Array<{ camera: string; analyzer: string }>) this.off.add(key(r.camera, r.analyzer));
  }

  isOff(camera: string, analyzer: string): boolean {
    return this.off.has(key(camera, analyzer));
  }

  set(camera: string, analyzer: string, on: boolean): void {
    if (on) this.db.prepare('DELETE FROM analyzer_off WHERE camera = ? AND analyzer = ?').run(camera, analyzer);
    else this.db.prepare('INSERT OR IGNORE INTO analyzer_off (camera, analyzer) VALUES (?, ?)').run(camera, analyzer);
    if (on) this.off.delete(key(camera, analyzer));
    else this.off.add(key(camera, analyzer));
  }
}

const key = (camera: string, analyzer: string) => `${camera}\u0000${analyzer}`;
