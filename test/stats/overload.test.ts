import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { OverloadLog, overloads } from '../../src/stats/overload.js';
import type { CameraStats } from '../../src/stats/report.js';

/** A camera's rates over a window: `motion` frames a second of which `busy` were skipped for want of time. */
function camera(motion: number, busy: number): CameraStats {
  const reasons = { busy, schedule: 0, paused: 0, failed: 0, no_models: 0 };
  const totals = { motion: 0, analyzed: 0, skipped: 0, skipped_by_reason: reasons, pending: 0, detections: {} };
  return { camera_fps: 5, motion_fps: motion, analyzed_fps: motion - busy, skipped_fps: busy, skipped_fps_by_reason: reasons, detections_fps: 0, totals };
}

describe('overloaded cameras', () => {
  it('are those with at least a tenth of their motion frames skipped busy, and at least 5 such frames in the window', () => {
    const cameras = { door: camera(5, 1.5), yard: camera(5, 0.4), quiet: camera(0, 0), brief: camera(5, 2) };
    // over 60 s: door 90 skipped (30 %), yard 24 (8 %: under a tenth), quiet none, brief 120 (40 %)
    expect(overloads(cameras, 60)).toEqual([
      { camera: 'door', analyzed_share: 0.7 },
      { camera: 'brief', analyzed_share: 0.6 },
    ]);
    // over 2 s the same rates are 3 and 4 frames: too few to say
    expect(overloads(cameras, 2)).toEqual([]);
  });

  it('are said in the log once when they start, once when they stop, with what helps', () => {
    const lines: Array<{ level: number; msg: string; camera: string }> = [];
    const sink = new Writable({ write: (chunk, _enc, done) => done(void lines.push(JSON.parse(String(chunk)))) });
    let overloaded = [{ camera: 'door', analyzed_share: 0.7 }];
    const log = new OverloadLog(() => ({ overloaded }), createLogger('info', sink));
    log.check();
    log.check();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, camera: 'door' });
    expect(lines[0].msg).toMatch(/^door: only 70 % of motion frames analysed in the last minute, the rest skipped \(busy\): lower cameras\.<name>\.detect\.fps/);
    overloaded = [];
    log.check();
    log.check();
    expect(lines.slice(1)).toEqual([expect.objectContaining({ level: 30, camera: 'door', msg: 'door: analysis keeps up again' })]);
  });
});
