import type { StatsReport } from './report.js';

/** One point of the load charts: each camera's rates and the models' inference time then. */
export interface LoadSample {
  /** ms since the epoch. */
  time: number;
  cameras: Record<string, { motion_fps: number; analyzed_fps: number; essential_fps: number; skipped_fps: number }>;
  inference_ms: { p50: number | null; p95: number | null };
  cpu_percent: number;
}

export interface LoadHistoryOptions {
  report: () => StatsReport;
  /** How often a sample is taken (default 30 s) and how many are kept (default 720: six hours). */
  everyMs?: number;
  size?: number;
}

/**
 * The analysis load over the last hours, for the statistics page: `Stats.report()` sampled now
 * and then into a fixed ring, in memory (a restart starts it again; the counts over days come
 * from the events table instead).
 */
export class LoadHistory {
  private readonly ring: LoadSample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: LoadHistoryOptions) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.opts.everyMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  samples(): LoadSample[] {
    return [...this.ring];
  }

  sample(): void {
    const r = this.opts.report();
    const cameras: LoadSample['cameras'] = {};
    for (const [name, c] of Object.entries(r.cameras))
      cameras[name] = { motion_fps: c.motion_fps, analyzed_fps: c.analyzed_fps, essential_fps: c.essential_fps, skipped_fps: c.skipped_fps };
    this.ring.push({ time: r.time, cameras, inference_ms: r.inference_ms, cpu_percent: r.process.cpu_percent });
    if (this.ring.length > (this.opts.size ?? 720)) this.ring.shift();
  }
}
