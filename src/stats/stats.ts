import type { EventKinds } from '../analyzers/kinds.js';
import type { CameraSchedulerStats } from '../analyzers/scheduler.js';
import type { EventBus } from '../bus.js';
import type { AnalyzedFrame } from '../events/analyzed-frame.js';
import type { EventMessage } from '../events/event.js';
import type { RunTimings } from '../models/session-pool.js';
import type { CameraStatus } from '../sources/frame.js';
import { isOverloaded } from './overload.js';
import { p50p95, Ring } from './ring.js';
import { SKIP_REASONS, type CameraStats, type SkipReason, type StatsReport } from './report.js';

/** What Stats reads from the scheduler (AnalysisScheduler). */
export interface SchedulerView {
  stats(camera: string): CameraSchedulerStats;
  readonly queue: { waiting: number; inFlight: number };
}

export interface StatsOptions {
  /** Argus' own (enabled) cameras. */
  cameras: readonly string[];
  /** The analyzer list's event kinds: detections are counted per kind, every kind listed. */
  kinds: EventKinds;
  now?: () => number;
  /** Rates are measured over about this long (samples every `windowMs / 12`). */
  windowMs?: number;
}

/** The counters a rate is taken from, per camera, in this order. */
const MOTION = 0;
const ANALYZED = 1;
const SKIPPED = 2;
const DETECTIONS = 3;
const ESSENTIAL = 4;
const REASON0 = 5;

interface Sample {
  time: number;
  cpu: NodeJS.CpuUsage;
  counts: Map<string, number[]>;
}

interface CameraCounts {
  motion: number;
  paused: number;
  /** Frames the scheduler ran but no analyzer was active for (schedules). */
  idle: number;
  detections: Map<string, number>;
}

/**
 * Argus' live numbers (issue 18): per camera how many motion frames were analyzed and why the
 * others were skipped, per model its runs and inference times, the scheduler's queue, latencies
 * from frame to event and to MQTT, CPU and memory. Parts report into it through cheap calls
 * (counters and fixed rings, no allocation per frame or run); `report()` builds the JSON of
 * `GET /api/stats` and `argus/stats`.
 */
export class Stats implements RunTimings {
  private readonly counts = new Map<string, CameraCounts>();
  private readonly models = new Map<string, Ring>();
  private readonly allRuns = new Ring(1024);
  private readonly toEvent = new Ring();
  private readonly toMqtt = new Ring();
  private readonly samples: Sample[] = [];
  private readonly started: number;
  private readonly now: () => number;
  private scheduler?: SchedulerView;
  private statuses: () => CameraStatus[] = () => [];
  /** Each event message's frame capture time (EventManager's onMessage), until it is published; weak, so nothing is kept. */
  private readonly frameTimes = new WeakMap<EventMessage, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: StatsOptions) {
    this.now = opts.now ?? Date.now;
    this.started = this.now();
    for (const camera of opts.cameras) this.camera(camera);
    this.sample();
  }

  /** Starts sampling rates and timing events off the bus; `scheduler` is absent when the models are not loaded. */
  start(parts: { bus: EventBus; scheduler?: SchedulerView; statuses: () => CameraStatus[] }): void {
    this.scheduler = parts.scheduler;
    this.statuses = parts.statuses;
    parts.bus.on(this, 'event', (message) => {
      const frameTime = this.frameTimes.get(message);
      if (frameTime !== undefined) this.toEvent.push(this.now() - frameTime, this.now());
    });
    this.timer = setInterval(() => this.sample(), this.windowMs / 12);
    this.timer.unref();
  }

  stop(bus: EventBus): void {
    clearInterval(this.timer);
    bus.removeAll(this);
  }

  record(model: string, ms: number): void {
    let ring = this.models.get(model);
    if (!ring) {
      ring = new Ring();
      this.models.set(model, ring);
    }
    const now = this.now();
    ring.push(ms, now);
    this.allRuns.push(ms, now);
  }

  /** A frame the motion gate passed on; `paused`: the camera's pause switch kept it from the scheduler. */
  motion(camera: string, paused: boolean): void {
    const c = this.camera(camera);
    c.motion++;
    if (paused) c.paused++;
  }

  /** FrameAnalyzer's `onIdle`: the frame was scheduled but no analyzer was active (schedules). */
  idle(camera: string): void {
    this.camera(camera).idle++;
  }

  /** The scheduler's `onAnalyzed`: counts the detections by kind. */
  analyzed(result: AnalyzedFrame): void {
    const { detections } = this.camera(result.camera);
    for (const d of result.detections) detections.set(d.kind, (detections.get(d.kind) ?? 0) + 1);
  }

  /** EventManager's `onMessage`: the frame a message comes from, read when it reaches the bus and MQTT. */
  eventFrame(message: EventMessage, frameTime: number | undefined): void {
    if (frameTime !== undefined) this.frameTimes.set(message, frameTime);
  }

  /**
   * Called as an event message is handed to MQTT; the function returned runs when the broker
   * acknowledged it. Undefined for a message without a frame (an end by timeout).
   */
  mqttPublish(message: EventMessage): (() => void) | undefined {
    const frameTime = this.frameTimes.get(message);
    return frameTime === undefined ? undefined : () => this.toMqtt.push(this.now() - frameTime, this.now());
  }

  /** `since` (ms since the epoch): the percentiles of the runs and messages since then only, e.g. after a warm-up. */
  report(since?: number): StatsReport {
    const now = this.now();
    const base = this.samples[0];
    const seconds = Math.max(0.001, (now - base.time) / 1000);
    const fps = (n: number) => Math.round((n / seconds) * 100) / 100;
    const statuses = new Map(this.statuses().map((s) => [s.name, s]));
    const cameras: Record<string, CameraStats> = {};
    for (const name of this.counts.keys()) {
      const total = this.totals(name);
      const before = base.counts.get(name) ?? total.map(() => 0);
      const rate = (i: number) => fps(total[i] - before[i]);
      const rates = { motion_fps: rate(MOTION), skipped_fps_by_reason: byReason((i) => rate(REASON0 + i)) };
      cameras[name] = {
        camera_fps: Math.round((statuses.get(name)?.fps ?? 0) * 100) / 100,
        motion_fps: rates.motion_fps,
        analyzed_fps: rate(ANALYZED),
        essential_fps: rate(ESSENTIAL),
        skipped_fps: rate(SKIPPED),
        skipped_fps_by_reason: rates.skipped_fps_by_reason,
        detections_fps: rate(DETECTIONS),
        overloaded: isOverloaded({ ...rates, essential_fps: rate(ESSENTIAL) }, seconds),
        totals: this.cameraTotals(name, total),
      };
    }
    const cpu = process.cpuUsage(base.cpu);
    const queue = this.scheduler?.queue ?? { waiting: 0, inFlight: 0 };
    return {
      time: now,
      window_s: Math.round(seconds * 10) / 10,
      uptime_s: Math.round((now - this.started) / 1000),
      cameras,
      models: Object.fromEntries([...this.models].map(([name, ring]) => [name, { runs: ring.count, inference_ms: p50p95(ring, since) }])),
      inference_ms: p50p95(this.allRuns, since),
      queue: { waiting: queue.waiting, in_flight: queue.inFlight },
      latency_ms: { frame_to_event: p50p95(this.toEvent, since), frame_to_mqtt: p50p95(this.toMqtt, since) },
      process: { cpu_percent: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 1000) / 10, rss_mb: Math.round(process.memoryUsage.rss() / 1e5) / 10 },
    };
  }

  private get windowMs(): number {
    return this.opts.windowMs ?? 60_000;
  }

  private camera(name: string): CameraCounts {
    let c = this.counts.get(name);
    if (!c) {
      c = { motion: 0, paused: 0, idle: 0, detections: new Map(this.opts.kinds.names.map((k) => [k, 0])) };
      this.counts.set(name, c);
    }
    return c;
  }

  /**
   * A camera's counters, in the order of MOTION…REASON0+. The scheduler's `analyzed` includes the
   * frames seen by the essential analyzers only (also counted in ESSENTIAL) and
   * frames no analyzer was active for, counted here as skipped for `schedule`; without a
   * scheduler (no models) every unpaused motion frame is skipped for `no_models`.
   */
  private totals(name: string): number[] {
    const c = this.camera(name);
    const s = this.scheduler?.stats(name);
    const reasons: Record<SkipReason, number> = {
      busy: s?.dropped ?? 0,
      schedule: c.idle,
      paused: c.paused,
      failed: s?.failed ?? 0,
      no_models: this.scheduler ? 0 : c.motion - c.paused,
    };
    const skipped = SKIP_REASONS.reduce((sum, r) => sum + reasons[r], 0);
    let detections = 0;
    for (const n of c.detections.values()) detections += n;
    return [c.motion, (s?.analyzed ?? 0) - c.idle, skipped, detections, s?.essential ?? 0, ...SKIP_REASONS.map((r) => reasons[r])];
  }

  private cameraTotals(name: string, total: number[]): CameraStats['totals'] {
    const [motion, analyzed, skipped] = total;
    return {
      motion,
      analyzed,
      essential: total[ESSENTIAL],
      skipped,
      skipped_by_reason: byReason((i) => total[REASON0 + i]),
      pending: motion - analyzed - skipped,
      detections: Object.fromEntries(this.camera(name).detections),
    };
  }

  /** Keeps the counters of about the last window; rates are taken against the oldest. */
  private sample(): void {
    const time = this.now();
    this.samples.push({ time, cpu: process.cpuUsage(), counts: new Map([...this.counts.keys()].map((n) => [n, this.totals(n)])) });
    while (this.samples.length > 1 && time - this.samples[1].time >= this.windowMs) this.samples.shift();
  }
}

function byReason(value: (index: number) => number): Record<SkipReason, number> {
  return Object.fromEntries(SKIP_REASONS.map((r, i) => [r, value(i)])) as Record<SkipReason, number>;
}
