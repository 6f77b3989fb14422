import type { Db } from './database.js';

export const SAMPLE_LABELS = ['normal', 'suspicious'] as const;
export type SampleLabel = (typeof SAMPLE_LABELS)[number];

/** One seat's silhouette at one moment: the reference method's 18 ratios, the crop a proctor labels it by, and the label. */
export interface ProctorSample {
  id: number;
  camera: string;
  seat: string;
  /** ms since the epoch: when the frame was taken. */
  time: number;
  features: number[];
  /** The seat's normalised pose vector when a pose model saw one (joined to the ratios in `ratios_pose` mode). */
  pose?: number[] | null;
  /** Null until a proctor labels it; unlabelled samples are not trained on. */
  label: SampleLabel | null;
}

/** A trained k-NN for one camera: its k, the cross-validation that chose it, and the samples it votes with. */
export interface SavedClassifier {
  camera: string;
  k: number;
  trained_at: number;
  /** The training set as it was when trained: deleting or relabelling a sample later does not change the live vote until the next training. */
  samples: Array<{ features: number[]; label: SampleLabel }>;
  /** Whatever the trainer reported (accuracy per k, confusion matrix), kept for the UI. */
  report: unknown;
}

interface SampleRow {
  id: number;
  camera: string;
  seat: string;
  time: number;
  features: string;
  pose: string | null;
  label: SampleLabel | null;
}

interface ClassifierRow {
  camera: string;
  k: number;
  trained_at: number;
  samples: string;
  report: string;
}

const COLUMNS = 'id, camera, seat, time, features, pose, label';

/**
 * The `proctor_samples` and `proctor_classifiers` tables (docs/proctoring.md). The crop is kept
 * beside the features as a JPEG blob so the labelling page and the archive need no file store.
 */
export class ProctorSampleStore {
  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS proctor_samples (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      camera TEXT NOT NULL,
      seat TEXT NOT NULL,
      time REAL NOT NULL,
      features TEXT NOT NULL,
      crop BLOB,
      label TEXT CHECK (label IN ('normal', 'suspicious'))
    );
    CREATE INDEX IF NOT EXISTS proctor_samples_camera ON proctor_samples (camera, id);
    CREATE TABLE IF NOT EXISTS proctor_classifiers (
      camera TEXT PRIMARY KEY,
      k INTEGER NOT NULL,
      trained_at REAL NOT NULL,
      samples TEXT NOT NULL,
      report TEXT NOT NULL
    )`);
    // Added with the pose vector: a database from before has no such column.
    const columns = db.prepare('PRAGMA table_info(proctor_samples)').all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'pose')) db.exec('ALTER TABLE proctor_samples ADD COLUMN pose TEXT');
  }

  add(s: Omit<ProctorSample, 'id'>, crop?: Buffer): ProctorSample {
    const r = this.db
      .prepare('INSERT INTO proctor_samples (camera, seat, time, features, pose, crop, label) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.camera, s.seat, s.time, JSON.stringify(s.features), s.pose ? JSON.stringify(s.pose) : null, crop ?? null, s.label);
    return { ...s, pose: s.pose ?? null, id: Number(r.lastInsertRowid) };
  }

  /** Whether this capture (the seat, its time in ms and its features) is here already: an archive imported twice. */
  has(s: Pick<ProctorSample, 'camera' | 'seat' | 'time' | 'features'>): boolean {
    return (
      this.db.prepare('SELECT 1 FROM proctor_samples WHERE camera = ? AND seat = ? AND time = ? AND features = ?').get(s.camera, s.seat, s.time, JSON.stringify(s.features)) !==
      undefined
    );
  }

  get(id: number): ProctorSample | null {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM proctor_samples WHERE id = ?`).get(id) as SampleRow | undefined;
    return row ? fromRow(row) : null;
  }

  crop(id: number): Buffer | null {
    const row = this.db.prepare('SELECT crop FROM proctor_samples WHERE id = ?').get(id) as { crop: Buffer | null } | undefined;
    return row?.crop ?? null;
  }

  /** Oldest first: cross-validation's folds take every n-th sample, so the order must be stable. */
  list(filter: { camera?: string; label?: SampleLabel | 'unlabelled' } = {}): ProctorSample[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.camera) {
      where.push('camera = ?');
      args.push(filter.camera);
    }
    if (filter.label === 'unlabelled') where.push('label IS NULL');
    else if (filter.label) {
      where.push('label = ?');
      args.push(filter.label);
    }
    const sql = `SELECT ${COLUMNS} FROM proctor_samples ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(...args) as SampleRow[]).map(fromRow);
  }

  /** Every sample with its crop, for the archive. */
  listWithCrops(camera?: string): Array<ProctorSample & { crop: Buffer | null }> {
    const rows = this.db.prepare(`SELECT ${COLUMNS}, crop FROM proctor_samples ${camera ? 'WHERE camera = ?' : ''} ORDER BY id`).all(...(camera ? [camera] : [])) as Array<
      SampleRow & { crop: Buffer | null }
    >;
    return rows.map((r) => ({ ...fromRow(r), crop: r.crop }));
  }

  /** False when no such sample. */
  setLabel(id: number, label: SampleLabel | null): boolean {
    return this.db.prepare('UPDATE proctor_samples SET label = ? WHERE id = ?').run(label, id).changes > 0;
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM proctor_samples WHERE id = ?').run(id).changes > 0;
  }

  saveClassifier(c: SavedClassifier): void {
    this.db
      .prepare('INSERT OR REPLACE INTO proctor_classifiers (camera, k, trained_at, samples, report) VALUES (?, ?, ?, ?, ?)')
      .run(c.camera, c.k, c.trained_at, JSON.stringify(c.samples), JSON.stringify(c.report));
  }

  classifier(camera: string): SavedClassifier | null {
    const row = this.db.prepare('SELECT * FROM proctor_classifiers WHERE camera = ?').get(camera) as ClassifierRow | undefined;
    return row ? fromClassifierRow(row) : null;
  }

  classifiers(): SavedClassifier[] {
    return (this.db.prepare('SELECT * FROM proctor_classifiers ORDER BY camera').all() as ClassifierRow[]).map(fromClassifierRow);
  }

  removeClassifier(camera: string): boolean {
    return this.db.prepare('DELETE FROM proctor_classifiers WHERE camera = ?').run(camera).changes > 0;
  }

  /** Runs `fn` in one transaction (an import lands whole or not at all). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

function fromRow(row: SampleRow): ProctorSample {
  return { ...row, features: JSON.parse(row.features) as number[], pose: row.pose === null ? null : (JSON.parse(row.pose) as number[]) };
}

function fromClassifierRow(row: ClassifierRow): SavedClassifier {
  return { camera: row.camera, k: row.k, trained_at: row.trained_at, samples: JSON.parse(row.samples) as SavedClassifier['samples'], report: JSON.parse(row.report) as unknown };
}
