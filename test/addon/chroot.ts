/**
 * Running commands in a root filesystem with `chroot`: the mounts a command needs, always taken
 * down again, and a guard that never lets `rm -rf` reach through a mount into the host.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The PATH Docker gives a Debian image's RUN and CMD. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ChrootMount {
  /** Path inside the root (absolute, e.g. /proc). */
  target: string;
  /** proc / sysfs / tmpfs, or a host directory to bind. */
  kind: 'proc' | 'sysfs' | 'tmpfs' | { bind: string; readOnly?: boolean };
}

/** Mount points (host paths) below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const base = resolve(dir);
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((p): p is string => Boolean(p) && (p === base || p.startsWith(`${base}/`)))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything below `dir` (left over by a run that was killed, too). */
export function unmountAll(dir: string): void {
  for (const p of mountsUnder(dir)) {
    if (spawnSync('umount', [p]).status !== 0) spawnSync('umount', ['-l', p]);
  }
  const left = mountsUnder(dir);
  if (left.length) throw new Error(`could not unmount ${left.join(', ')}`);
}

/** rm -rf that unmounts first and never crosses into another file system. */
export function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  unmountAll(dir);
  const r = spawnSync('rm', ['-rf', '--one-file-system', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rm -rf ${dir}: ${r.stderr}`);
  rmSync(dir, { recursive: true, force: true });
}

function mount(root: string, m: ChrootMount): string {
  const at = join(root, m.target);
  mkdirSync(at, { recursive: true });
  const args =
    m.kind === 'proc'
      ? ['-t', 'proc', 'proc', at]
      : m.kind === 'sysfs'
        ? ['-t', 'sysfs', '-o', 'ro', 'sysfs', at]
        : m.kind === 'tmpfs'
          ? ['-t', 'tmpfs', 'tmpfs', at]
          : ['--bind', m.kind.bind, at];
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr.trim()}`);
  if (typeof m.kind === 'object' && m.kind.readOnly) spawnSync('mount', ['-o', 'remount,bind,ro', at]);
  return at;
}

/** Mounts `mounts` into `root`; the returned function takes them down (deepest first). */
export function mountAll(root: string, mounts: ChrootMount[]): () => void {
  const done: string[] = [];
  try {
    for (const m of mounts) done.push(mount(root, m));
  } catch (err) {
    for (const at of done.reverse()) spawnSync('umount', ['-l', at]);
    throw err;
  }
  return () => {
    for (const at of [...done].reverse()) {
      if (spawnSync('umount', [at]).status !== 0) spawnSync('umount', ['-l', at]);
    }
  };
}

export interface ChrootCommand {
  root: string;
  /** argv inside the root. */
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  mounts?: ChrootMount[];
  /** Receives output as it comes (for logs); everything is also returned. */
  onOutput?: (chunk: string) => void;
}

/** Runs a command to its end inside the root; resolves with its exit code and output. */
export async function chrootRun(c: ChrootCommand): Promise<{ code: number; output: string }> {
  const unmount = mountAll(c.root, c.mounts ?? []);
  try {
    const cd = c.cwd ?? '/';
    // env -i: nothing of the host's environment leaks in; cd inside, as Docker's WORKDIR does.
    const child = spawn('chroot', [c.root, '/usr/bin/env', '-i', ...Object.entries(c.env).map(([k, v]) => `${k}=${v}`), '/bin/sh', '-c', 'cd "$0" && exec "$@"', cd, ...c.argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (d: Buffer) => {
      const s = d.toString();
      output += s;
      c.onOutput?.(s);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const code = await new Promise<number>((res) => child.on('close', (n) => res(n ?? 1)));
    return { code, output };
  } finally {
    unmount();
  }
}
