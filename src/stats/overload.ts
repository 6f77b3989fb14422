import type { Logger } from '../log.js';
import type { CameraStats, StatsReport } from './report.js';

/** A camera whose motion frames were skipped for want of time (busy) over the stats window. */
export interface Overload {
  camera: string;
  /** Motion frames analyzed over the window, 0–1. */
  analyzed_share: number;
}

/** At least this share of a camera's motion frames skipped busy over the window is overload. */
const BUSY_SHARE = 0.1;
/** …and at least this many frames: two skipped in twenty says nothing. */
const MIN_BUSY_FRAMES = 5;

/** What a user can do about it, in the order that costs least; said by the log and the statistics page. */
export const OVERLOAD_ADVICE =
  'lower cameras.<name>.detect.fps, set models.objects.input: frame (CenterNet 0.6–0.7× its time, scores shift a little), switch off the analyzers a camera does not need (faces, pose), or watch fewer cameras on this machine';

/** The overloaded cameras of a window's rates (`busy` skips ≥ 10 % of motion frames and ≥ 5 frames). */
export function overloads(cameras: Record<string, CameraStats>, windowS: number): Overload[] {
  const found: Overload[] = [];
  for (const [camera, c] of Object.entries(cameras)) {
    const busy = c.skipped_fps_by_reason.busy;
    if (c.motion_fps <= 0 || busy < BUSY_SHARE * c.motion_fps || busy * windowS < MIN_BUSY_FRAMES) continue;
    found.push({ camera, analyzed_share: Math.round((c.analyzed_fps / c.motion_fps) * 100) / 100 });
  }
  return found;
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
    private readonly report: () => Pick<StatsReport, 'overloaded'>,
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
    const now = new Map(this.report().overloaded.map((o) => [o.camera, o]));
    for (const [camera, o] of now) {
      if (this.over.has(camera)) continue;
      this.over.add(camera);
      this.logger.warn(
        { camera, analyzed_share: o.analyzed_share },
        `${camera}: only ${Math.round(o.analyzed_share * 100)} % of motion frames analysed in the last minute, the rest skipped (busy): ${OVERLOAD_ADVICE}`,
      );
    }
    for (const camera of [...this.over]) {
      if (now.has(camera)) continue;
      this.over.delete(camera);
      this.logger.info({ camera }, `${camera}: analysis keeps up again`);
    }
  }
}
