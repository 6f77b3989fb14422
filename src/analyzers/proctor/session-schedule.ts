import { Schedule } from '../schedule.js';
import type { ProctorSessions } from './sessions.js';

export interface SessionScheduleOptions {
  sessions: ProctorSessions;
  /** `cameras.<name>.analyzers.proctor.sessions` of each proctored camera that has any. */
  windows: Record<string, readonly string[]>;
  now?: () => number;
  /** How often the windows are checked; a session starts at most this late. */
  intervalMs?: number;
}

/** The name a scheduled session gets, so the report and the list tell it from one started by hand. */
export const SCHEDULED = 'schedule';

/**
 * Starts a camera's exam session when one of its windows opens and stops it when the window
 * closes. It acts only on the edges: a session the invigilator stops early stays stopped until
 * the next window, and one started by hand (API, MQTT) is not stopped by a window's end. Across
 * a restart inside a window the same holds: the scheduled session that resumed is still stopped
 * at the window's end, and one the invigilator ended is not started again.
 */
export class SessionSchedule {
  private readonly cameras: Array<{ camera: string; schedule: Schedule; open: boolean | null; ours: string | null }>;
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: SessionScheduleOptions) {
    this.cameras = Object.entries(opts.windows)
      .filter(([, w]) => w.length > 0)
      .map(([camera, w]) => ({ camera, schedule: new Schedule(w), open: null, ours: null }));
  }

  start(): void {
    this.tick();
    if (this.cameras.length > 0) this.timer = setInterval(() => this.tick(), this.opts.intervalMs ?? 15_000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  tick(): void {
    const { sessions } = this.opts;
    const now = (this.opts.now ?? Date.now)();
    for (const c of this.cameras) {
      const open = c.schedule.isActive(now);
      if (c.open === null && open) this.resume(c, now);
      else if (open && !c.open) {
        const running = sessions.active(c.camera);
        c.ours = running ? null : sessions.start(c.camera, SCHEDULED).id;
      } else if (!open && c.open) {
        if (c.ours !== null && sessions.active(c.camera)?.id === c.ours) sessions.stop(c.camera);
        c.ours = null;
      }
      c.open = open;
    }
  }

  /** Started inside a window (a restart, an update): carries on with what this window already did. */
  private resume(c: { camera: string; schedule: Schedule; ours: string | null }, now: number): void {
    const { sessions } = this.opts;
    const running = sessions.active(c.camera);
    if (running) c.ours = running.name === SCHEDULED ? running.id : null;
    else if (!this.startedThisWindow(c.camera, c.schedule, now)) c.ours = sessions.start(c.camera, SCHEDULED).id;
  }

  /** Whether a scheduled session of the camera started in the window open now (and was ended since). */
  private startedThisWindow(camera: string, schedule: Schedule, now: number): boolean {
    const last = this.opts.sessions.list().find((s) => s.camera === camera && s.name === SCHEDULED);
    if (!last || last.started_at > now) return false;
    // the same window if the schedule stayed open from its start until now (windows are whole minutes)
    for (let t = now; t > last.started_at; t -= 60_000) if (!schedule.isActive(t)) return false;
    return schedule.isActive(last.started_at);
  }
}
