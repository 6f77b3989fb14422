import type { ChildProcess } from 'node:child_process';

/**
 * Asks a child to exit (SIGTERM, so ffmpeg closes its inputs cleanly), then forces it (SIGKILL)
 * after `graceMs`. Resolves once `exited` does (by default the child's exit), so the caller
 * knows the child has been reaped.
 */
export async function terminate(child: ChildProcess, exitedPromise?: Promise<void>, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return exitedPromise;
  const exited = exitedPromise ?? new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
  clearTimeout(timer);
  if (!gone) child.kill('SIGKILL');
  return exited;
}
