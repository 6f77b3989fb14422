import type { Db } from './database.js';

/** A saved reference pose: body keypoints normalised by src/analyzers/pose-vector.ts. */
export interface ReferencePose {
  name: string;
  /** `[x, y]` by keypoint name, centred on the hips and scaled by torso length. */
  vector: Record<string, [number, number]>;
  /** Cosine similarity above which a live pose matches. */
  threshold: number;
  /** The pose model it was taken with (`blazepose`, `movenet`). */
  model: string;
  created_at: number;
}

interface Row {
  name: string;
  vector: string;
  threshold: number;
  model: string;
  created_at: number;
}

export const POSE_NAME = /^[a-z0-9_]{1,64}$/;

/** The `reference_poses` table: one row per named pose a user saved from a photo. */
export class PoseLibrary {
  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS reference_poses (
      name TEXT PRIMARY KEY,
      vector TEXT NOT NULL,
      threshold REAL NOT NULL,
      model TEXT NOT NULL,
      created_at REAL NOT NULL
    )`);
  }

  /** Saves or replaces a pose under its name. */
  save(pose: ReferencePose): void {
    if (!POSE_NAME.test(pose.name)) throw new Error(`pose name "${pose.name}": use a-z, 0-9 and _ (at most 64)`);
    this.db
      .prepare('INSERT OR REPLACE INTO reference_poses (name, vector, threshold, model, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(pose.name, JSON.stringify(pose.vector), pose.threshold, pose.model, pose.created_at);
  }

  get(name: string): ReferencePose | null {
    const row = this.db.prepare('SELECT * FROM reference_poses WHERE name = ?').get(name) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  list(): ReferencePose[] {
    return (this.db.prepare('SELECT * FROM reference_poses ORDER BY name').all() as Row[]).map(fromRow);
  }

  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM reference_poses WHERE name = ?').run(name).changes > 0;
  }
}

function fromRow(row: Row): ReferencePose {
  return { ...row, vector: JSON.parse(row.vector) as ReferencePose['vector'] };
}
