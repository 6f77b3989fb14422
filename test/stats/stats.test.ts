import { describe, expect, it } from 'vitest';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { AnalysisScheduler, type LightAnalysis } from '../../src/analyzers/scheduler.js';
import { EventBus } from '../../src/bus.js';
import type { Detection } from '../../src/events/analyzed-frame.js';
import type { EventMessage } from '../../src/events/event.js';
import { silentLogger } from '../../src/log.js';
import type { MotionResult } from '../../src/motion/motion-detector.js';
import type { Frame } from '../../src/sources/frame.js';
import { Ring } from '../../src/stats/ring.js';
import { Stats } from '../../src/stats/stats.js';

const motion: MotionResult = { motion: true, boxes: [[0, 0, 4, 4]], changed: 0.1 };
const frame = (camera: string, seq: number, time = seq): Frame => ({ camera, seq, time, width: 2, height: 2, data: Buffer.alloc(12) });
const tick = () => new Promise((r) => setImmediate(r));
const kinds = new EventKinds(ANALYZERS);
const person: Detection = { kind: 'person', label: 'person', score: 0.9, box: [0, 0, 1, 1] };

/**
 * Argus' wiring in small (main.ts): the gate's onMotion counts into Stats and submits unless
 * paused; analyses finish when the test says so; a camera in `idle` has no active analyzer.
 */
function rig(cameras: string[], concurrency = 1, essentials = false) {
  let clock = 1_000;
  const stats = new Stats({ cameras, kinds, now: () => clock });
  const bus = new EventBus();
  const pending: Array<() => void> = [];
  const idle = new Set<string>();
  const paused = new Set<string>();
  const finish = (f: Frame, resolve: (d: Detection[]) => void) =>
    pending.push(() => {
      if (idle.has(f.camera)) stats.idle(f.camera);
      resolve(idle.has(f.camera) ? [] : [person]);
    });
  const scheduler = new AnalysisScheduler({
    concurrency,
    logger: silentLogger(),
    now: () => clock,
    // the essential analyzers' pass, when asked for: as the full one here, counted apart
    ...(essentials ? { analyzeEssentials: (f: Frame) => new Promise<LightAnalysis | null>((resolve) => finish(f, (detections) => resolve({ detections, whole: false }))) } : {}),
    onAnalyzed: (r) => {
      stats.analyzed(r);
      if (!r.detections.length) return;
      // As EventManager does: the frame's time handed over just before the message goes on the bus.
      const message = { type: 'start', event: {} } as EventMessage;
      stats.eventFrame(message, r.frame.time);
      bus.emit('event', message);
    },
    analyze: (f) => new Promise((resolve) => finish(f, resolve)),
  });
  scheduler.start();
  stats.start({ bus, scheduler, statuses: () => [] });
  const submit = (f: Frame) => {
    stats.motion(f.camera, paused.has(f.camera));
    if (!paused.has(f.camera)) scheduler.submit(f, motion);
  };
  /** Finishes the oldest analysis in flight (started on a microtask, so wait for it first). */
  const finishOne = async () => {
    await tick();
    pending.shift()?.();
    await tick();
    await tick();
  };
  const finishAll = async () => {
    await tick();
    while (pending.length) await finishOne();
  };
  return { stats, bus, scheduler, submit, finishOne, finishAll, idle, paused, advance: (ms: number) => (clock += ms), now: () => clock, stop: () => stats.stop(bus) };
}

describe('Stats', () => {
  it('accounts for every motion frame: analyzed + skipped (busy, schedule, paused) + pending = motion, per camera', async () => {
    const r = rig(['a', 'b', 'c']);
    r.idle.add('b');
    r.paused.add('c');
    for (let seq = 1; seq <= 6; seq++) for (const cam of ['a', 'b', 'c']) r.submit(frame(cam, seq));
    const midway = r.stats.report();
    for (const cam of ['a', 'b', 'c']) {
      const t = midway.cameras[cam].totals;
      expect(t.analyzed + t.skipped + t.pending).toBe(t.motion);
    }
    await r.finishAll();
    r.advance(2_000);
    const { cameras } = r.stats.report();
    for (const [cam, c] of Object.entries(cameras)) {
      const t = c.totals;
      expect(t.pending, cam).toBe(0);
      expect(t.analyzed + t.skipped, cam).toBe(t.motion);
      expect(
        Object.values(t.skipped_by_reason).reduce((x, y) => x + y, 0),
        cam,
      ).toBe(t.skipped);
    }
    expect(cameras.a.totals).toMatchObject({ motion: 6, skipped_by_reason: { schedule: 0, paused: 0 } });
    expect(cameras.a.totals.analyzed).toBeGreaterThan(0);
    expect(cameras.a.totals.skipped_by_reason.busy).toBe(6 - cameras.a.totals.analyzed);
    expect(cameras.b.totals.analyzed).toBe(0);
    expect(cameras.b.totals.skipped_by_reason.schedule).toBeGreaterThan(0);
    expect(cameras.c.totals).toMatchObject({ motion: 6, analyzed: 0, skipped: 6, skipped_by_reason: { paused: 6 } });
    // Per kind from the analyzer list: every kind is listed, the person detections counted.
    expect(Object.keys(cameras.a.totals.detections)).toEqual(kinds.names);
    expect(cameras.a.totals.detections.person).toBe(cameras.a.totals.analyzed);
    // Rates over the 2 s the fake clock moved.
    expect(cameras.c.motion_fps).toBe(3);
    expect(cameras.c.skipped_fps).toBe(3);
    r.stop();
  });

  it('times events from their frame, and each model run', async () => {
    const r = rig(['a']);
    r.advance(5_000);
    r.submit(frame('a', 1, 1_000));
    r.advance(40);
    await r.finishAll();
    for (const ms of [10, 20, 30, 40]) r.stats.record('centernet', ms);
    r.stats.record('blazeface-back', 5);
    const report = r.stats.report();
    expect(report.latency_ms.frame_to_event).toEqual({ p50: 5_040, p95: 5_040 });
    expect(report.latency_ms.frame_to_mqtt).toEqual({ p50: null, p95: null });
    expect(report.models.centernet).toEqual({ runs: 4, inference_ms: { p50: 20, p95: 40 } });
    expect(report.models['blazeface-back'].runs).toBe(1);
    expect(report.inference_ms.p50).toBe(20);
    expect(report.process.rss_mb).toBeGreaterThan(0);
    expect(report.queue).toEqual({ waiting: 0, in_flight: 0 });
    // since a moment (GET /api/stats?since=…): the runs and events before it left out, the counts not
    const warm = r.now();
    r.advance(1_000);
    for (const ms of [7, 9]) r.stats.record('centernet', ms);
    const later = r.stats.report(warm + 1);
    expect(later.models.centernet).toEqual({ runs: 6, inference_ms: { p50: 7, p95: 9 } });
    expect(later.models['blazeface-back'].inference_ms).toEqual({ p50: null, p95: null });
    expect(later.latency_ms.frame_to_event).toEqual({ p50: null, p95: null });
    expect(r.stats.report(warm).latency_ms.frame_to_event).toEqual({ p50: 5_040, p95: 5_040 });
    r.stop();
  });

  it('a ring keeps the last values only, without growing, and reads those since a moment', () => {
    const ring = new Ring(4);
    for (let i = 1; i <= 10; i++) ring.push(i, i * 100);
    expect(ring.count).toBe(10);
    expect(ring.percentiles([0, 50, 100])).toEqual([7, 8, 10]);
    expect(ring.percentiles([0, 100], 900)).toEqual([9, 10]);
    expect(ring.percentiles([50], 1_100)).toEqual([null]);
  });
});

describe('scheduling across cameras, synthetic frames', () => {
  it('8 flooding cameras: no backlog (one waiting frame each at most) and every camera gets a fair share', async () => {
    const cameras = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];
    const r = rig(cameras, 2);
    // Each round every camera sends a frame and two analyses finish: a load 4× what is served.
    for (let seq = 1; seq <= 200; seq++) {
      for (const cam of cameras) r.submit(frame(cam, seq));
      expect(r.scheduler.queue.waiting).toBeLessThanOrEqual(cameras.length);
      for (let i = 0; i < 2; i++) await r.finishOne();
    }
    await r.finishAll();
    const { cameras: stats } = r.stats.report();
    const analyzed = cameras.map((c) => stats[c].totals.analyzed);
    const best = Math.max(...analyzed);
    for (const [i, cam] of cameras.entries()) {
      expect(analyzed[i], cam).toBeGreaterThanOrEqual(0.8 * best);
      expect(stats[cam].totals.analyzed + stats[cam].totals.skipped, cam).toBe(200);
    }
    expect(r.scheduler.queue).toEqual({ waiting: 0, inFlight: 0 });
    // Three in four frames skipped busy on every camera: each is reported as overloaded.
    r.advance(60_000);
    const after = r.stats.report().cameras;
    expect(cameras.filter((c) => after[c].overloaded)).toEqual(cameras);
    r.stop();
  });

  it('behind, with the essential analyzers alone on late frames: every frame accounted for, those frames counted apart', async () => {
    const cameras = ['c1', 'c2', 'c3', 'c4'];
    const r = rig(cameras, 1, true);
    // 5 fps each, one analysis finishing every 100 ms (half the frames' pace): frames wait late
    let n = 0;
    for (let seq = 1; seq <= 100; seq++) {
      for (const cam of cameras) {
        r.submit(frame(cam, seq));
        r.advance(50);
        if (++n % 2 === 0) await r.finishOne();
      }
    }
    await r.finishAll();
    const report = r.stats.report();
    for (const cam of cameras) {
      const t = report.cameras[cam].totals;
      expect(t.analyzed + t.skipped, cam).toBe(100);
      expect(t.essential, cam).toBeGreaterThan(0);
      expect(t.essential, cam).toBeLessThan(t.analyzed);
      expect(report.cameras[cam].essential_fps, cam).toBeGreaterThan(0);
      expect(report.cameras[cam].essential_fps, cam).toBeLessThanOrEqual(report.cameras[cam].analyzed_fps);
    }
    r.stop();
  });
});
