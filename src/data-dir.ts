import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Only Argus' own user reads the data dir: it holds faces, snapshots, the access token and backups (issue 17). */
export const DATA_FILE_MODE = 0o600;
export const DATA_DIR_MODE = 0o700;

/**
 * Creates the data dir and narrows what an older version left readable: folders 0700, files 0600.
 * Files made from now on get those modes from the process umask (`argus run` sets 077).
 * Links are left alone: they may point outside the data dir.
 */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  narrow(dir, 0);
}

/** Deep enough for snapshots/<day>/<event>/…; a deeper tree is not Argus' own. */
const MAX_DEPTH = 6;

function narrow(path: string, depth: number): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat || stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== DATA_DIR_MODE) chmodSync(path, DATA_DIR_MODE);
    if (depth < MAX_DEPTH) for (const entry of readdirSync(path)) narrow(join(path, entry), depth + 1);
  } else if (stat.isFile() && (stat.mode & 0o777) !== DATA_FILE_MODE) {
    chmodSync(path, DATA_FILE_MODE);
  }
}
