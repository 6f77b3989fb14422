const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "1h", "1h30m", "2d" → milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(t)) return undefined;
  let ms = 0;
  for (const [, n, unit] of t.matchAll(/(\d+)([smhd])/g)) ms += Number(n) * UNIT_MS[unit];
  return ms > 0 ? ms : undefined;
}

/** The longest mute: "400d" read as "until 16:02" silenced a camera, weapons too, for a year. */
export const MAX_MUTE_MS = 30 * 86_400_000;

/** Local wall time as HH:MM, for "muted until 23:30"; with the day when it is not today ("Tue 8 Dec 16:02"). */
export function clockTime(ms: number, now = Date.now()): string {
  const at = new Date(ms);
  const time = at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (at.toDateString() === new Date(now).toDateString()) return time;
  return `${at.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' })} ${time}`;
}

/** The answer to unmuting `camera`: true, even when a mute of all cameras still holds it. */
export function unmutedText(camera: string, stillUntil: number | null, now: number): string {
  if (camera === 'all') return 'All cameras unmuted.';
  return stillUntil === null ? `${camera} unmuted.` : `${camera} is still muted until ${clockTime(stillUntil, now)}: all cameras are (/mute all off ends that).`;
}
