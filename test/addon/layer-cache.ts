/**
 * Cached root filesystems, one directory per build step, named by a key that hashes everything
 * the step depends on (like Docker's layer cache). A directory is only used once it is complete.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { removeTree } from './chroot.js';

export function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex').slice(0, 24);
}

/** Hash of files (or whole trees): relative path, mode and content of each, in a stable order. */
export function hashPaths(paths: string[], base: string): string {
  const h = createHash('sha256');
  const visit = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) visit(join(p, name));
      return;
    }
    h.update(`${relative(base, p)}\0${st.mode}\0`);
    h.update(readFileSync(p));
  };
  for (const p of paths) visit(p);
  return h.digest('hex').slice(0, 24);
}

export class LayerCache {
  readonly dir: string;
  private readonly used = new Set<string>();
  private works = 0;

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'layers');
    mkdirSync(this.dir, { recursive: true });
  }

  path(key: string): string {
    return join(this.dir, key);
  }

  has(key: string): boolean {
    this.used.add(key);
    return existsSync(join(this.dir, `${key}.done`)) && existsSync(this.path(key));
  }

  /** A fresh work directory holding a copy of layer `from` (or empty). */
  workDir(from?: string): string {
    const work = join(this.dir, `work-${process.pid}-${++this.works}`);
    removeTree(work);
    if (from) {
      const r = spawnSync('cp', ['-a', this.path(from), work], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cp -a ${from}: ${r.stderr}`);
    } else {
      mkdirSync(work);
    }
    return work;
  }

  /** Stores a work directory as layer `key`; the work directory is gone afterwards. */
  commit(work: string, key: string): string {
    removeTree(this.path(key));
    renameSync(work, this.path(key));
    writeFileSync(join(this.dir, `${key}.done`), new Date().toISOString());
    this.used.add(key);
    return this.path(key);
  }

  /** Removes layers this build did not use and work directories left by killed runs. */
  prune(): void {
    for (const name of readdirSync(this.dir)) {
      const key = name.replace(/\.done$/, '');
      if (!this.used.has(key)) removeTree(join(this.dir, name));
    }
  }
}
