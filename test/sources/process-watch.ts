import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live or zombie processes whose command line contains `marker` (Linux /proc). */
export function processesWith(marker: string): Array<{ pid: number; zombie: boolean }> {
  const found: Array<{ pid: number; zombie: boolean }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const zombie = / Z /.test(stat.slice(stat.lastIndexOf(')')));
      if (cmdline.includes(marker) || (zombie && stat.includes('(ffmpeg)'))) found.push({ pid: Number(entry), zombie });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
