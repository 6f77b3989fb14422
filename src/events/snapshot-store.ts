import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderedSnapshot } from './snapshot-renderer.js';

/**
 * Event ids are made by EventManager, or from a Frigate event's id (`frigate-<its id>-face`); anything
 * else is refused before it can touch a path (no slash; never `.` or `..` whole).
 */
export const EVENT_ID = /^(?:[0-9]{1,12}\.[0-9]{3}-[a-z0-9]{6}|frigate-[A-Za-z0-9._-]{1,100})$/;

export type SnapshotFile = 'snapshot.jpg' | 'crop.jpg';

/** `<data>/snapshots/<event id>/{snapshot,crop}.jpg`: written atomically, pruned by size. */
export class SnapshotStore {
  constructor(readonly dir: string) {}

  /** The file's path, or null when the id is not an event id or the file does not exist. */
  pathOf(id: string, file: SnapshotFile): string | null {
    if (!EVENT_ID.test(id)) return null;
    const path = join(this.dir, id, file);
    return existsSync(path) ? path : null;
  }

  /** The JPEG, or undefined when there is none (what the MQTT and Telegram outputs' `loadSnapshot` wants). */
  async load(id: string, file: SnapshotFile = 'snapshot.jpg'): Promise<Buffer | undefined> {
    const path = this.pathOf(id, file);
    return path ? readFile(path).catch(() => undefined) : undefined;
  }

  async save(id: string, shot: RenderedSnapshot): Promise<void> {
    if (!EVENT_ID.test(id)) throw new Error(`"${id}" is not an event id`);
    const folder = join(this.dir, id);
    await mkdir(folder, { recursive: true, mode: 0o700 }); // pictures of people: owner only
    // Write-then-rename: a reader (the API, Telegram) never sees half a JPEG.
    for (const [file, data] of [
      ['snapshot.jpg', shot.annotated],
      ['crop.jpg', shot.crop],
    ] as const) {
      const tmp = join(folder, `.${file}.tmp`);
      try {
        await writeFile(tmp, data, { mode: 0o600 });
        await rename(tmp, join(folder, file));
      } catch (err) {
        // a full disk: leave nothing half-written behind, nor a folder of no event
        await rm(tmp, { force: true });
        await rmdir(folder).catch(() => undefined); // only if empty
        throw err;
      }
    }
  }

  async remove(id: string): Promise<void> {
    if (!EVENT_ID.test(id)) return;
    await rm(join(this.dir, id), { recursive: true, force: true });
  }

  /** Each event folder with its total size and newest write, oldest first. */
  async usage(): Promise<Array<{ id: string; bytes: number; mtimeMs: number }>> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    const folders = await Promise.all(
      entries
        .filter((e) => e.isDirectory() && EVENT_ID.test(e.name))
        .map(async (e) => {
          let bytes = 0;
          let mtimeMs = 0;
          for (const f of await readdir(join(this.dir, e.name)).catch(() => [] as string[])) {
            const s = await stat(join(this.dir, e.name, f)).catch(() => null);
            if (!s) continue;
            bytes += s.size;
            mtimeMs = Math.max(mtimeMs, s.mtimeMs);
          }
          return { id: e.name, bytes, mtimeMs };
        }),
    );
    return folders.sort((a, b) => a.mtimeMs - b.mtimeMs || a.id.localeCompare(b.id));
  }

  /** Deletes the oldest folders (except `keep`) until the total fits in maxBytes; returns their ids. */
  async pruneToSize(maxBytes: number, keep: ReadonlySet<string> = new Set()): Promise<string[]> {
    const folders = await this.usage();
    let total = folders.reduce((sum, f) => sum + f.bytes, 0);
    const removed: string[] = [];
    for (const f of folders) {
      if (total <= maxBytes) break;
      if (keep.has(f.id)) continue;
      await this.remove(f.id);
      total -= f.bytes;
      removed.push(f.id);
    }
    return removed;
  }
}
