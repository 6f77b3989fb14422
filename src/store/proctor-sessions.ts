import type { Db } from './database.js';

/** An exam session as stored: times in ms since the epoch, `ended_at` null while it runs. */
export interface StoredSession {
  id: string;
  camera: string;
  name: string;
  started_at: number;
  ended_at: number | null;
}

interface SessionRow extends StoredSession {
  occupied: string;
}

/**
 * The `proctor_sessions` table (docs/proctoring.md): every exam session, so one still running
 * when Argus stops is running again when it starts, with the seats that were already sat in
 * (which tells `left_seat` from `absent` after the restart). Its incidents are events.
 */
export class ProctorSessionStore {
  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS proctor_sessions (
      id TEXT PRIMARY KEY,
      camera TEXT NOT NULL,
      name TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      ended_at INTEGER,
      occupied TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX IF NOT EXISTS proctor_sessions_ended ON proctor_sessions (ended_at)`);
  }

  insert(s: StoredSession): void {
    this.db.prepare('INSERT INTO proctor_sessions (id, camera, name, started_at, ended_at) VALUES (?, ?, ?, ?, ?)').run(s.id, s.camera, s.name, s.started_at, s.ended_at);
  }

  end(id: string, endedAt: number): void {
    this.db.prepare('UPDATE proctor_sessions SET ended_at = ? WHERE id = ?').run(endedAt, id);
  }

  get(id: string): StoredSession | null {
    const row = this.db.prepare('SELECT id, camera, name, started_at, ended_at FROM proctor_sessions WHERE id = ?').get(id) as StoredSession | undefined;
    return row ?? null;
  }

  /** The sessions still running (at most one a camera), oldest first. */
  running(): StoredSession[] {
    return this.db.prepare('SELECT id, camera, name, started_at, ended_at FROM proctor_sessions WHERE ended_at IS NULL ORDER BY started_at').all() as StoredSession[];
  }

  /** The newest `limit` sessions that ended, newest first. */
  ended(limit: number): StoredSession[] {
    return this.db
      .prepare('SELECT id, camera, name, started_at, ended_at FROM proctor_sessions WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, started_at DESC LIMIT ?')
      .all(limit) as StoredSession[];
  }

  /** Seats someone sat in during the session. */
  occupied(id: string): string[] {
    const row = this.db.prepare('SELECT occupied FROM proctor_sessions WHERE id = ?').get(id) as Pick<SessionRow, 'occupied'> | undefined;
    return row ? (JSON.parse(row.occupied) as string[]) : [];
  }

  markOccupied(id: string, seat: string): void {
    const seats = this.occupied(id);
    if (seats.includes(seat)) return;
    this.db.prepare('UPDATE proctor_sessions SET occupied = ? WHERE id = ?').run(JSON.stringify([...seats, seat]), id);
  }
}
