import type { Logger } from '../log.js';
import type { CameraStats, StatsReport } from './report.js';

/** At least this share of a camera's motion frames skipped busy over the window is overload. */
const BUSY_SHARE = 0.1;
/** …and at least this many frames: two skipped in twenty says nothing. */
const MIN_BUSY_FRAMES = 5;

/** What a user can do about it, what helped most first (docs/benchmarks.md); the statistics page says the same. */
export const OVERLOAD_ADVICE =
  'switch off the analyzers a camera does not need (faces cost the most, then pose), lower cameras.<name>.detect.fps, or watch fewer cameras on this machine (docs/benchmarks.md: what each gained)';

/**
 * Whether a camera lost motion frames for want of time over a window: skipped `busy`, or seen by
 * the essential analyzers only (faces and poses missed them), ≥ 10 % of its motion frames and ≥ 5 frames.
 */
export function isOverloaded(c: Pick<CameraStats, 'motion_fps' | 'skipped_fps_by_reason' | 'essential_fps'>, windowS: number): boolean {
  const lost = c.skipped_fps_by_reason.busy + c.essential_fps;
  return c.motion_fps > 0 && lost >= BUSY_SHARE * c.motion_fps && lost * windowS >= MIN_BUSY_FRAMES;
}

/** The share of a camera's motion frames every analyzer saw (0–100, rounded). */
export function fullShare(c: Pick<CameraStats, 'motion_fps' | 'analyzed_fps' | 'essential_fps'>): number {
  return c.motion_fps > 0 ? Math.round(((c.analyzed_fps - c.essential_fps) / c.motion_fps) * 100) : 100;
}

/**
 * Says in the log when a camera starts and stops being overloaded (once each way, not every
 * minute): the statistics page shows the same, but a household reads the log when detections
 * seem to come late or not at all.
 */
export class OverloadLog {
  private readonly over = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly report: () => Pick<StatsReport, 'cameras'>,
    private readonly logger: Logger,
  ) {}

  start(intervalMs = 60_000): void {
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  check(): void {
    const cameras = Object.entries(this.report().cameras);
    for (const [camera, c] of cameras) {
      if (!c.overloaded || this.over.has(camera)) continue;
      this.over.add(camera);
      const share = fullShare(c);
      const essentials = Math.round((c.analyzed_fps / c.motion_fps) * 100);
      this.logger.warn(
        { camera, analyzed_share: share / 100, essential_share: essentials / 100 },
        `${camera}: only ${share} % of motion frames analysed in full in the last minute (weapons and watched objects: ${essentials} %), the rest skipped while busy: ${OVERLOAD_ADVICE}`,
      );
    }
    for (const camera of [...this.over]) {
      if (cameras.some(([name, c]) => name === camera && c.overloaded)) continue;
      this.over.delete(camera);
      this.logger.info({ camera }, `${camera}: analysis keeps up again`);
    }
  }
}
