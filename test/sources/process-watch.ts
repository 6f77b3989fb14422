import { readdirSync, readFileSync } from 'node:fs';

/**
 * Processes whose command line contains `marker`, plus ffmpeg zombies of this test process
 * (a zombie's command line is empty, so only its name and parent can tell). Linux /proc.
 */
export function processesWith(marker: string): Array<{ pid: number; zombie: boolean }> {
  const found: Array<{ pid: number; zombie: boolean }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const zombie = state === 'Z';
      const ourZombie = zombie && Number(ppid) === process.pid && stat.includes('(ffmpeg)');
      if (cmdline.includes(marker) || ourZombie) found.push({ pid: Number(entry), zombie });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
