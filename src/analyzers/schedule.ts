/**
 * Active windows such as `mon-fri 22:00-06:00`, `sat,sun`, `08:00-18:00` or `daily 07:30-08:15`.
 * Days name the day a window starts: `fri 22:00-06:00` covers Saturday until 06:00. Times are the
 * host's local time (the add-on's TZ).
 */

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_MINUTES = 24 * 60;

export interface ScheduleWindow {
  /** Days (0 = Sunday) on which the window starts. */
  days: ReadonlySet<number>;
  /** Minutes since midnight; `end <= start` runs past midnight into the next day. */
  start: number;
  end: number;
}

export class ScheduleError extends Error {
  readonly code = 'bad_schedule';
}

export function parseSchedule(text: string): ScheduleWindow {
  const parts = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (parts.length === 0 || parts.length > 2) throw new ScheduleError(`schedule "${text}": write days and/or times, e.g. "mon-fri 22:00-06:00"`);
  let days: Set<number> = new Set([0, 1, 2, 3, 4, 5, 6]);
  let start = 0;
  let end = DAY_MINUTES;
  const times = parts.filter((p) => /^\d/.test(p));
  const dayParts = parts.filter((p) => !/^\d/.test(p));
  // Each part once: "sat sun" read as Sunday alone, and "22:00-06:00 08:00-09:00" as the second window.
  if (dayParts.length > 1) throw new ScheduleError(`schedule "${text}": give the days as one list, e.g. "${dayParts.join(',')}"`);
  if (times.length > 1) throw new ScheduleError(`schedule "${text}": one time window an entry; list ${times.map((t) => `"${t}"`).join(' and ')} as entries of their own`);
  if (times.length) [start, end] = parseTimes(times[0], text);
  if (dayParts.length) days = parseDays(dayParts[0], text);
  return { days, start, end };
}

function parseDays(part: string, text: string): Set<number> {
  if (part === 'daily' || part === 'everyday') return new Set([0, 1, 2, 3, 4, 5, 6]);
  const days = new Set<number>();
  for (const item of part.split(',')) {
    const [from, to] = item.split('-');
    const a = dayIndex(from, text);
    const b = to === undefined ? a : dayIndex(to, text);
    // ranges wrap over the weekend: `fri-mon` is Friday to Monday
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return days;
}

function dayIndex(name: string | undefined, text: string): number {
  const i = DAYS.indexOf((name ?? '').slice(0, 3) as (typeof DAYS)[number]);
  // "tue", "tues", "tuesday"; not "sunshine"
  if (i < 0 || !name || name.length < 3 || !DAY_NAMES[i].startsWith(name))
    throw new ScheduleError(`schedule "${text}": "${name}" is not a day (mon, tue, wed, thu, fri, sat, sun)`);
  return i;
}

function parseTimes(part: string, text: string): [number, number] {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(part);
  if (!m) throw new ScheduleError(`schedule "${text}": times are written HH:MM-HH:MM, e.g. 22:00-06:00`);
  const start = minutes(+m[1], +m[2], text);
  const end = minutes(+m[3], +m[4], text);
  if (start === end) throw new ScheduleError(`schedule "${text}": the window starts and ends at the same time`);
  if (start === DAY_MINUTES) throw new ScheduleError(`schedule "${text}": 24:00 ends a day; a window starting at midnight starts at 00:00`);
  return [start, end];
}

function minutes(h: number, m: number, text: string): number {
  if (h > 24 || m > 59 || (h === 24 && m > 0)) throw new ScheduleError(`schedule "${text}": ${h}:${String(m).padStart(2, '0')} is not a time of day`);
  return h * 60 + m;
}

/** Whether `time` (ms since the epoch) falls in the window, in local time. */
export function inWindow(w: ScheduleWindow, time: number): boolean {
  const d = new Date(time);
  const day = d.getDay();
  const minute = d.getHours() * 60 + d.getMinutes();
  if (w.start < w.end) return w.days.has(day) && minute >= w.start && minute < w.end;
  // past midnight: the evening part on a listed day, or the morning part after one
  return (w.days.has(day) && minute >= w.start) || (w.days.has((day + 6) % 7) && minute < w.end);
}

/** Compiled once per camera and analyzer; no windows means always active. */
export class Schedule {
  private readonly windows: ScheduleWindow[];

  constructor(entries: readonly string[]) {
    this.windows = entries.map(parseSchedule);
  }

  isActive(time: number): boolean {
    return this.windows.length === 0 || this.windows.some((w) => inWindow(w, time));
  }
}
