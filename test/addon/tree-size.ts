import { spawnSync } from 'node:child_process';

/** Bytes in a file or tree (apparent size, each hard-linked file once), as `du` counts them. */
export function treeSize(path: string): number {
  const r = spawnSync('du', ['-s', '-B1', '--apparent-size', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`du ${path}: ${r.stderr}`);
  return Number(r.stdout.split(/\s/)[0]);
}
