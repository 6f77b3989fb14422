import { describe, expect, it } from 'vitest';
import type { AnalyzedFrame, Detection } from '../../src/events/analyzed-frame.js';
import { AnalysisScheduler, type LightAnalysis } from '../../src/analyzers/scheduler.js';
import { silentLogger } from '../../src/log.js';
import type { MotionResult } from '../../src/motion/motion-detector.js';
import type { Frame } from '../../src/sources/frame.js';

const motion: MotionResult = { motion: true, boxes: [[0, 0, 4, 4]], changed: 0.1 };
const frame = (camera: string, seq: number): Frame => ({ camera, seq, time: seq, width: 2, height: 2, data: Buffer.alloc(12) });
const tick = () => new Promise((r) => setImmediate(r));
const weapon: Detection = { kind: 'weapon', label: 'knife', score: 0.8, box: [0, 0, 1, 1] };

/** A scheduler whose analyses finish when the test says so. */
function harness(concurrency = 1) {
  const started: string[] = [];
  const pending: Array<{ name: string; finish: (fail?: boolean) => void }> = [];
  const delivered: AnalyzedFrame[] = [];
  const scheduler = new AnalysisScheduler({
    concurrency,
    logger: silentLogger(),
    onAnalyzed: (r) => delivered.push(r),
    analyze: (f) =>
      new Promise((resolve, reject) => {
        const name = `${f.camera}${f.seq}`;
        started.push(name);
        pending.push({ name, finish: (fail) => (fail ? reject(new Error('model failed')) : resolve([])) });
      }),
  });
  /** Finishes the oldest analysis in flight and lets the next one start. */
  const finishNext = async (fail = false) => {
    await tick();
    pending.shift()!.finish(fail);
    await tick();
    await tick();
  };
  return { scheduler, started, pending, delivered, finishNext };
}

describe('AnalysisScheduler', () => {
  it("drops a camera's waiting frame when a newer one arrives, and takes cameras in turn", async () => {
    const h = harness();
    h.scheduler.start();
    h.scheduler.submit(frame('a', 1), motion);
    h.scheduler.submit(frame('a', 2), motion);
    h.scheduler.submit(frame('a', 3), motion);
    h.scheduler.submit(frame('b', 1), motion);
    h.scheduler.submit(frame('a', 4), motion);
    await h.finishNext();
    await h.finishNext();
    await h.finishNext();
    expect(h.started).toEqual(['a1', 'b1', 'a4']);
    expect(h.scheduler.stats('a')).toEqual({ submitted: 4, analyzed: 2, essential: 0, dropped: 2, failed: 0 });
    expect(h.scheduler.stats('b')).toEqual({ submitted: 1, analyzed: 1, essential: 0, dropped: 0, failed: 0 });
    expect(h.delivered.map((r) => `${r.camera}${r.frame.seq}`)).toEqual(['a1', 'b1', 'a4']);
    expect(h.delivered[0]).toMatchObject({ camera: 'a', frame: { time: 1 }, detections: [] });
  });

  it('does not let a flooding camera starve a quiet one', async () => {
    const h = harness();
    h.scheduler.start();
    let seqA = 0;
    let seqB = 0;
    h.scheduler.submit(frame('a', ++seqA), motion);
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 10; i++) h.scheduler.submit(frame('a', ++seqA), motion);
      if (round % 3 === 0) h.scheduler.submit(frame('b', ++seqB), motion);
      await h.finishNext();
    }
    while (h.pending.length > 0) await h.finishNext();
    const b = h.scheduler.stats('b');
    expect(b.submitted).toBe(10);
    expect(b.analyzed).toBe(10); // every quiet-camera frame was analyzed…
    expect(b.dropped).toBe(0);
    const a = h.scheduler.stats('a');
    expect(a.dropped).toBeGreaterThan(250); // …while the flood was thinned to the newest frame
    expect(a.analyzed + a.dropped).toBe(a.submitted);
  });

  it('never runs two frames of one camera at once, but runs cameras side by side', async () => {
    const h = harness(2);
    h.scheduler.start();
    h.scheduler.submit(frame('a', 1), motion);
    h.scheduler.submit(frame('a', 2), motion);
    await tick();
    expect(h.started).toEqual(['a1']);
    h.scheduler.submit(frame('b', 1), motion);
    await tick();
    expect(h.started).toEqual(['a1', 'b1']);
    await h.finishNext();
    expect(h.started).toEqual(['a1', 'b1', 'a2']);
  });

  it('counts a failed analysis and carries on', async () => {
    const h = harness();
    h.scheduler.start();
    h.scheduler.submit(frame('a', 1), motion);
    h.scheduler.submit(frame('a', 2), motion);
    await h.finishNext(true);
    await h.finishNext();
    expect(h.scheduler.stats('a')).toMatchObject({ analyzed: 1, failed: 1 });
    expect(h.delivered.map((r) => r.frame.seq)).toEqual([2]);
  });

  it('ignores frames before start and after stop, and stop waits for the frame in flight', async () => {
    const h = harness();
    h.scheduler.submit(frame('a', 1), motion);
    await tick();
    expect(h.started).toEqual([]);
    h.scheduler.start();
    h.scheduler.submit(frame('a', 2), motion);
    h.scheduler.submit(frame('a', 3), motion);
    await tick();
    let stopped = false;
    const stopping = h.scheduler.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false);
    h.pending.shift()!.finish();
    await stopping;
    expect(h.scheduler.stats('a')).toMatchObject({ submitted: 2, analyzed: 1, essential: 0, dropped: 1 }); // a3 was waiting
    h.scheduler.submit(frame('a', 4), motion);
    await tick();
    expect(h.started).toEqual(['a2']);
  });
});

/**
 * Cameras sending a frame every 200 ms (5 fps, staggered) to a scheduler whose full analysis takes
 * `fullMs` and the essential one `essentialMs` of a simulated clock, for `seconds`. Analyses that
 * run at once share the time (two at once each take twice as long).
 */
async function simulate(
  cameras: number,
  fullMs: number,
  essentialMs: number,
  seconds: number,
  withEssentials = true,
  found?: (camera: string) => boolean,
  lightLane = false,
  sends: (camera: string, now: number) => boolean = () => true,
) {
  let now = 0;
  const running: Array<{ left: number; started: number; done: () => void }> = [];
  const kinds: string[] = [];
  const take = (ms: number, camera: string, kind: string) =>
    new Promise<Detection[]>((resolve) => {
      kinds.push(`${camera} ${kind}`);
      running.push({ left: ms, started: now, done: () => resolve([]) });
    });
  // the essential analyzers; where they find a weapon and may complete the frame, the rest follow on it
  const light = async (camera: string, mayComplete: boolean): Promise<LightAnalysis> => {
    if (!found?.(camera)) return { detections: await take(essentialMs, camera, 'essential'), whole: false };
    if (!mayComplete) return { detections: [weapon, ...(await take(essentialMs, camera, 'essential'))], whole: false };
    return { detections: [weapon, ...(await take(essentialMs + fullMs, camera, 'completed'))], whole: true };
  };
  const scheduler = new AnalysisScheduler({
    concurrency: 1,
    logger: silentLogger(),
    now: () => now,
    onAnalyzed: () => {},
    analyze: (f) => take(fullMs, f.camera, 'full'),
    ...(withEssentials ? { analyzeEssentials: (f: Frame, _m: MotionResult, mayComplete: boolean) => light(f.camera, mayComplete) } : {}),
    lightLane,
  });
  scheduler.start();
  const names = Array.from({ length: cameras }, (_, i) => `cam${i + 1}`);
  let seq = 0;
  for (now = 0; now < seconds * 1000; now += 5) {
    for (const [i, camera] of names.entries()) if ((now + i * Math.floor(200 / cameras / 5) * 5) % 200 === 0 && sends(camera, now)) scheduler.submit(frame(camera, ++seq), motion);
    await tick();
    // the time since the last step, shared by what ran through it
    const sharing = running.filter((r) => r.started < now).length;
    for (const r of running.filter((r) => r.started < now)) {
      r.left -= 5 / sharing;
      if (r.left <= 1e-9) {
        running.splice(running.indexOf(r), 1);
        r.done();
        await tick();
      }
    }
  }
  return Object.assign(
    names.map((camera) => scheduler.stats(camera)),
    { kinds },
  );
}

describe('AnalysisScheduler behind: the essential analyzers alone on some frames', () => {
  it('with time for every frame, analyses every frame in full', async () => {
    const [one] = await simulate(1, 70, 30, 10);
    expect(one.submitted).toBe(50);
    expect(one.analyzed).toBe(50);
    expect(one.essential).toBe(0);
  });

  it('four cameras it cannot keep up with: more frames seen, the full ones shared fairly', async () => {
    const dropping = await simulate(4, 70, 30, 20, false);
    const lighter = await simulate(4, 70, 30, 20);
    const share = (s: { analyzed: number; submitted: number }) => s.analyzed / s.submitted;
    const full = (s: { analyzed: number; essential: number; submitted: number }) => (s.analyzed - s.essential) / s.submitted;
    // dropping whole frames, 200 ms of frames over 280 ms of analyses: about 70 % each
    for (const s of dropping) expect(share(s)).toBeLessThan(0.8);
    for (const s of lighter) {
      expect(share(s)).toBeGreaterThan(0.9);
      // the last frame may still be waiting or in flight
      expect(s.submitted - s.analyzed - s.dropped).toBeLessThanOrEqual(1);
      expect(s.essential).toBeGreaterThan(0);
    }
    const fulls = lighter.map(full);
    expect(Math.min(...fulls)).toBeGreaterThanOrEqual(0.8 * Math.max(...fulls));
    expect(Math.min(...fulls)).toBeGreaterThanOrEqual(0.2);
  });

  it('a light frame that found a weapon is completed by the others, paid from its camera’s credit', async () => {
    // eight cameras: far behind; cam2 has a weapon (or a watched car) in view all the time
    const stats = await simulate(8, 70, 30, 20, true, (camera) => camera === 'cam2');
    const cam2 = stats.kinds.filter((k) => k.startsWith('cam2 '));
    expect(cam2.filter((k) => k === 'cam2 completed').length).toBeGreaterThan(5);
    // completed frames count as full ones, not light ones
    expect(stats[1].analyzed - stats[1].essential).toBeGreaterThanOrEqual(cam2.filter((k) => k !== 'cam2 essential').length - 1);
    // in debt after one, its next finds stay light: it cannot make every frame full
    expect(cam2.some((k, i) => k === 'cam2 completed' && cam2[i + 1] === 'cam2 essential')).toBe(true);
    const full = (s: { analyzed: number; essential: number; submitted: number }) => (s.analyzed - s.essential) / s.submitted;
    const others = stats.filter((_, i) => i !== 1).map(full);
    expect(full(stats[1])).toBeLessThanOrEqual(2 * Math.max(...others));
    for (const f of others) expect(f).toBeGreaterThanOrEqual(0.2 * 0.8);
  });
});

describe('AnalysisScheduler with the light lane: the essential analyzers beside a full analysis', () => {
  const share = (s: { analyzed: number; submitted: number }) => s.analyzed / s.submitted;
  const full = (s: { analyzed: number; essential: number; submitted: number }) => (s.analyzed - s.essential) / s.submitted;

  it('four cameras it cannot keep up with: the lane sees the frames the slot cannot, the full ones shared fairly', async () => {
    // 90 ms in full, 30 by the essential analyzers: one slot alone sees about 85 % of the frames
    const slotOnly = await simulate(4, 90, 30, 20);
    const lane = await simulate(4, 90, 30, 20, true, undefined, true);
    for (const [i, s] of lane.entries()) {
      expect(share(s)).toBeGreaterThan(share(slotOnly[i]));
      expect(share(s)).toBeGreaterThan(0.95);
      expect(s.submitted - s.analyzed - s.dropped).toBeLessThanOrEqual(1); // nothing queued
      expect(s.essential).toBeGreaterThan(0);
    }
    const fulls = lane.map(full);
    expect(Math.min(...fulls)).toBeGreaterThanOrEqual(0.8 * Math.max(...fulls));
    // the slot is never left idle while a frame waits: full analyses back to back
    expect(lane.kinds.filter((k) => k.endsWith(' full')).length).toBeGreaterThan(20_000 / (90 * 2) - 5);
  });

  it('eight cameras: no camera below 80 % of the best one’s share, nothing queued', async () => {
    const lane = await simulate(8, 70, 30, 20, true, undefined, true);
    const shares = lane.map(share);
    const fulls = lane.map(full);
    expect(Math.min(...shares)).toBeGreaterThanOrEqual(0.8 * Math.max(...shares));
    expect(Math.min(...fulls)).toBeGreaterThanOrEqual(0.8 * Math.max(...fulls));
    for (const s of lane) expect(s.submitted - s.analyzed - s.dropped).toBeLessThanOrEqual(1);
  });

  it('far behind (eight cameras, 120 ms a full frame) gives way to the share controller: faces keep their floor', async () => {
    const essentials = await simulate(8, 120, 30, 20);
    const lane = await simulate(8, 120, 30, 20, true, undefined, true);
    for (const [i, s] of lane.entries()) {
      // the share controller's own floor (0.2) holds to 0.16–0.18 here; the lane alone gave 0.11
      expect(full(s)).toBeGreaterThanOrEqual(Math.min(...essentials.map(full)) - 0.02);
      expect(share(s)).toBeGreaterThanOrEqual(share(essentials[i]) - 0.02);
    }
  });

  it('counts only the cameras sending now in the mean share in full: quiet ones analysed in full before do not keep the lane on', async () => {
    // cam9–cam11 send alone for 10 s (every frame in full), then fall quiet; cam1–cam8 send from then on, far behind
    const early = (camera: string) => ['cam9', 'cam10', 'cam11'].includes(camera);
    const stats = await simulate(11, 120, 30, 30, true, undefined, true, (camera, now) => early(camera) === now < 10_000);
    for (const s of stats.slice(0, 8)) expect(full(s)).toBeGreaterThanOrEqual(0.15);
  });

  it('with time for every frame, analyses every frame in full', async () => {
    const [one] = await simulate(1, 70, 30, 10, true, undefined, true);
    expect(one.analyzed).toBe(50);
    expect(one.essential).toBe(0);
  });

  it('completes a light frame that found a weapon, but not for a camera already full twice as often as the others', async () => {
    const stats = await simulate(8, 70, 30, 20, true, (camera) => camera === 'cam2', true);
    const cam2 = stats.kinds.filter((k) => k.startsWith('cam2 '));
    expect(cam2.filter((k) => k === 'cam2 completed').length).toBeGreaterThan(3);
    const others = stats.filter((_, i) => i !== 1).map(full);
    const mean = others.reduce((a, b) => a + b, 0) / others.length;
    expect(full(stats[1])).toBeLessThanOrEqual(2.5 * mean);
    expect(cam2.some((k) => k === 'cam2 essential')).toBe(true); // some finds stayed light
  });
});
