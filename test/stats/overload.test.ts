import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { fullShare, isOverloaded, OverloadLog } from '../../src/stats/overload.js';
import type { CameraStats } from '../../src/stats/report.js';

/**
 * A camera's rates over a window: `motion` frames a second of which `busy` were skipped for want
 * of time and `essential` seen by the essential analyzers only.
 */
function camera(motion: number, busy: number, overloaded = false, essential = 0): CameraStats {
  const reasons = { busy, schedule: 0, paused: 0, failed: 0, no_models: 0 };
  const totals = { motion: 0, analyzed: 0, essential: 0, skipped: 0, skipped_by_reason: reasons, pending: 0, detections: {} };
  return {
    camera_fps: 5,
    motion_fps: motion,
    analyzed_fps: motion - busy,
    essential_fps: essential,
    skipped_fps: busy,
    skipped_fps_by_reason: reasons,
    detections_fps: 0,
    overloaded,
    totals,
  };
}

describe('an overloaded camera', () => {
  it('had at least a tenth of its motion frames skipped busy, and at least 5 such frames in the window', () => {
    // over 60 s: 90 skipped (30 %), 24 (8 %: under a tenth), none
    expect(isOverloaded(camera(5, 1.5), 60)).toBe(true);
    expect(isOverloaded(camera(5, 0.4), 60)).toBe(false);
    expect(isOverloaded(camera(0, 0), 60)).toBe(false);
    expect(isOverloaded(camera(5, 0.5), 60)).toBe(true);
    // over 2 s the same 30 % is 3 frames: too few to say
    expect(isOverloaded(camera(5, 1.5), 2)).toBe(false);
  });

  it('counts the frames only the essential analyzers saw as lost to the others', () => {
    // 0.2 skipped and 0.4 essential-only a second: 12 % of the motion frames missed faces and poses
    expect(isOverloaded(camera(5, 0.2, false, 0.4), 60)).toBe(true);
    expect(isOverloaded(camera(5, 0.2, false, 0.2), 60)).toBe(false);
    expect(fullShare(camera(5, 0.5, false, 1))).toBe(70);
    expect(fullShare(camera(0, 0))).toBe(100);
  });

  it('is said in the log once when it starts, once when it stops, with what helps', () => {
    const lines: Array<{ level: number; msg: string; camera: string }> = [];
    const sink = new Writable({ write: (chunk, _enc, done) => done(void lines.push(JSON.parse(String(chunk)))) });
    let cameras = { door: camera(5, 0.5, true, 1), yard: camera(5, 0) };
    const log = new OverloadLog(() => ({ cameras }), createLogger('info', sink));
    log.check();
    log.check();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, camera: 'door' });
    expect(lines[0].msg).toMatch(
      /^door: only 70 % of motion frames analysed in full in the last minute \(weapons and watched objects: 90 %\), the rest skipped while busy: switch off the analyzers a camera does not need \(faces cost the most/,
    );
    cameras = { door: camera(5, 0), yard: camera(5, 0) };
    log.check();
    log.check();
    expect(lines.slice(1)).toEqual([expect.objectContaining({ level: 30, camera: 'door', msg: 'door: analysis keeps up again' })]);
  });
});
