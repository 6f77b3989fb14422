import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';

export interface BackupRotationOptions {
  /** `<data>/backups` */
  dir: string;
  /** How many backups to keep; 0 writes none. */
  keep: number;
  /**
   * Besides those, the last backup of each of this many most recent days that have one: ten quick
   * edits (the CLI writes one backup per command) no longer push out the registry as it was yesterday.
   */
  keepDaily?: number;
  /** Wait this long after the last change, so a burst of changes makes one backup. */
  delayMs: number;
  /** The archive to write, taken when the backup is written (not when the change happened). */
  snapshot: () => Buffer;
  /** Who it holds, kept beside it (`<file>.people.json`) so a list of backups can say so without unpacking them. */
  contents?: () => BackupPerson[];
  logger: Logger;
  now?: () => number;
}

export interface BackupPerson {
  name: string;
  samples: number;
}

export interface BackupFile {
  file: string;
  path: string;
  bytes: number;
  time: string;
  /** Who it holds, by name; null for a backup written before Argus kept that beside it. */
  people: BackupPerson[] | null;
}

/** The file beside a backup that says who it holds. */
const contentsPath = (backup: string) => `${backup}.people.json`;

const NAME = /^registry-(\d{8}T\d{9}Z)(?:-(\d+))?\.tar\.gz$/;

/** `registry-20260123T134501123Z.tar.gz`: sorts by time as text. */
function fileName(time: number): string {
  return `registry-${new Date(time).toISOString().replace(/[-:.]/g, '')}.tar.gz`;
}

/**
 * Rotating registry backups: after changes settle, one archive in `<data>/backups/`, the oldest
 * beyond `keep` removed, except the last of each of the `keepDaily` latest days. Written to a temporary name and renamed, so a crash never leaves a
 * half-written backup under a backup's name.
 */
export class BackupRotation {
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: BackupRotationOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** A change happened: (re)start the quiet-period timer. */
  changed(): void {
    if (this.opts.keep === 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.writeNow();
      } catch (err) {
        this.opts.logger.error(`face registry backup failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }, this.opts.delayMs);
    this.timer.unref();
  }

  /** Writes a pending backup at once (on stop, so the last changes are never only in the database). */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writeNow();
  }

  /** Cancels a pending backup without writing it. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes a backup now, whatever `keep` says about automatic ones; returns its path. */
  writeNow(): string {
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 }); // backups hold every face: owner only
    let name = fileName(this.now());
    // Two backups in one millisecond: keep both.
    for (let n = 1; this.list().some((b) => b.file === name); n++) name = name.replace(/(-\d+)?\.tar\.gz$/, `-${n}.tar.gz`);
    const path = join(this.opts.dir, name);
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, this.opts.snapshot(), { mode: 0o600 });
    // Who is in it, first: a backup is never listed without it (a crash between the two leaves a file no list reads).
    if (this.opts.contents) writeFileSync(contentsPath(path), JSON.stringify(this.opts.contents()), { mode: 0o600 });
    renameSync(tmp, path);
    this.opts.logger.info(`face registry backed up to ${path}`);
    this.prune();
    return path;
  }

  /** Backups, newest first. */
  list(): BackupFile[] {
    let files: string[];
    try {
      files = readdirSync(this.opts.dir);
    } catch {
      return [];
    }
    return files
      .filter((f) => NAME.test(f))
      .sort()
      .reverse()
      .map((file) => {
        const path = join(this.opts.dir, file);
        const m = NAME.exec(file)!;
        const t = m[1];
        const time = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}.${t.slice(15, 18)}Z`;
        return { file, path, bytes: statSync(path).size, time, people: readContents(path) };
      });
  }

  private prune(): void {
    const all = this.list();
    const kept = new Set(all.slice(0, Math.max(1, this.opts.keep)).map((b) => b.file));
    // newest first, so the first of each (UTC) day is its last backup
    const days = new Set<string>();
    for (const b of all) {
      const day = b.time.slice(0, 10);
      if (days.has(day) || days.size >= (this.opts.keepDaily ?? 0)) continue;
      days.add(day);
      kept.add(b.file);
    }
    for (const old of all.filter((b) => !kept.has(b.file))) {
      rmSync(old.path, { force: true });
      rmSync(contentsPath(old.path), { force: true });
    }
  }
}

/** Who a backup holds, from the file beside it; null where there is none (or it cannot be read). */
function readContents(backup: string): BackupPerson[] | null {
  try {
    const people = JSON.parse(readFileSync(contentsPath(backup), 'utf8')) as unknown;
    return Array.isArray(people) ? (people as BackupPerson[]) : null;
  } catch {
    return null;
  }
}
