import { describe, expect, it } from 'vitest';
import { motionSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { MotionGate } from '../../src/motion/motion-gate.js';
import type { MotionResult } from '../../src/motion/motion-detector.js';
import { FrameSlot } from '../../src/sources/frame-slot.js';
import type { Frame } from '../../src/sources/frame.js';

const W = 320;
const H = 180;

/** A grey frame, with a white 80×80 square at x 100 when someone is there. */
function frame(time: number, someone: boolean): Frame {
  const data = Buffer.alloc(W * H * 3, 90);
  if (someone) for (let y = 50; y < 130; y++) data.fill(240, (y * W + 100) * 3, (y * W + 180) * 3);
  return { camera: 'room', width: W, height: H, data, time, seq: time / 200 };
}

/**
 * Plays 2 s of an empty room, then someone who walks in and stands still for `stillFor` ms, at 5 fps
 * through a gate; returns what it passed on (time and whether it moved) and its motion state changes.
 */
async function play(opts: { following: (now: number) => boolean; stillInterval?: number; stillFor?: number }) {
  const frames = new FrameSlot();
  const passed: Array<{ time: number; moved: boolean; boxes: number }> = [];
  const states: Array<[number, boolean]> = [];
  let now = 0;
  const gate = new MotionGate({
    camera: 'room',
    frames,
    config: motionSchema.parse({ still_interval: opts.stillInterval ?? 1 }),
    logger: silentLogger(),
    onMotion: (f, m: MotionResult) => passed.push({ time: f.time, moved: m.motion, boxes: m.boxes.length }),
    onMotionState: (moving) => states.push([now, moving]),
    following: () => opts.following(now),
  });
  gate.start();
  for (now = 0; now < 2000 + (opts.stillFor ?? 10_000); now += 200) {
    const seen = gate.analyzed;
    frames.put(frame(now, now >= 2000));
    while (gate.analyzed === seen) await new Promise((r) => setImmediate(r));
  }
  await gate.stop();
  return { passed, states };
}

describe('MotionGate', () => {
  it('passes on moving frames only while nothing is followed', async () => {
    const { passed, states } = await play({ following: () => false, stillFor: 14_000 });
    expect(passed.length).toBeGreaterThan(0);
    expect(passed.every((p) => p.moved && p.time >= 2000)).toBe(true);
    // the background takes the still person in (in 7 s here), and the camera reads still again
    expect(passed.at(-1)!.time).toBeLessThan(10_000);
    expect(states).toEqual([
      [2000, true],
      [expect.any(Number), false],
    ]);
  });

  it('looks at a still frame every still_interval while objects are followed, over the whole frame', async () => {
    const { passed, states } = await play({ following: () => true, stillFor: 20_000 });
    const lastMoved = passed.filter((p) => p.moved).at(-1)!.time;
    const still = passed.filter((p) => !p.moved && p.time > lastMoved);
    expect(still.length).toBeGreaterThanOrEqual(12);
    // one a second from the last passed frame, to the end of the clip
    expect(still[0].time - lastMoved).toBe(1000);
    for (const [i, s] of still.entries()) if (i > 0) expect(s.time - still[i - 1].time).toBe(1000);
    expect(still.at(-1)!.time).toBeGreaterThanOrEqual(21_000);
    expect(still.every((s) => s.boxes === 0)).toBe(true);
    // still looks are not motion: the motion sensor goes off all the same
    expect(states.map(([, moving]) => moving)).toEqual([true, false]);
  });

  it('stops looking once nothing is followed, and never with still_interval 0', async () => {
    // the person's event ends at 15 s
    const { passed } = await play({ following: (now) => now < 15_000, stillFor: 20_000 });
    const still = passed.filter((p) => !p.moved).map((p) => p.time);
    expect(still.filter((t) => t > 10_000)).toEqual([10_800, 11_800, 12_800, 13_800, 14_800]);
    const off = await play({ following: () => true, stillInterval: 0 });
    expect(off.passed.every((p) => p.moved)).toBe(true);
  });
});
