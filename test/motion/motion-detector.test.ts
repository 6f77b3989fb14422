import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MotionDetector } from '../../src/motion/motion-detector.js';

const W = 320;
const H = 180;
const CONFIG = { threshold: 25, min_area: 300, background_alpha: 0.05 };
const BACKGROUND = '../shared/fixtures/people/background.jpg';

/** Decodes an ffmpeg filter graph (or input) into RGB frames with Debian's ffmpeg. */
function frames(args: string[], count: number): Buffer[] {
  const out = execFileSync('ffmpeg', ['-v', 'error', ...args, '-frames:v', String(count), '-s', `${W}x${H}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], {
    maxBuffer: 1 << 28,
  });
  const size = W * H * 3;
  return Array.from({ length: out.length / size }, (_, i) => out.subarray(i * size, (i + 1) * size));
}

/** A white square of `size` px moving `step` px a frame along y = 70 over a grey frame. */
function square(size: number, step: number): string[] {
  return ['-f', 'lavfi', '-i', `color=c=gray:s=${W}x${H}:r=10`, '-f', 'lavfi', '-i', `color=c=white:s=${size}x${size}:r=10`, '-filter_complex', `[0][1]overlay=x='${step}*n':y=70`];
}

describe('MotionDetector', () => {
  it('sees no motion on a still scene with encoder noise', () => {
    // A still photo through a lossy H.264 round trip: pixels flicker a little, nothing moves.
    const input = existsSync(BACKGROUND) ? ['-loop', '1', '-i', BACKGROUND] : ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10,trim=0:0.1,loop=-1:1'];
    const still = frames([...input, '-vf', 'noise=alls=6:allf=t', '-r', '10'], 20);
    const detector = new MotionDetector(W, H, CONFIG);
    const results = still.map((f) => detector.detect(f));
    expect(results.filter((r) => r.motion)).toHaveLength(0);
  });

  it('boxes a moving object where it is', () => {
    // A 40×40 white square crossing a grey frame left to right, 8 px a frame.
    const moving = frames(square(40, 8), 20);
    const detector = new MotionDetector(W, H, CONFIG);
    const results = moving.map((f) => detector.detect(f));
    expect(results[0].motion).toBe(false); // first frame only primes the background
    const last = results[19];
    expect(last.motion).toBe(true);
    const [x1, y1, x2, y2] = last.boxes[0];
    // The square is at x = 152..192 in frame 19; the box covers it (plus its trail) and not the far side.
    expect(x1).toBeLessThanOrEqual(152);
    expect(x2).toBeGreaterThanOrEqual(190);
    expect(x2).toBeLessThanOrEqual(200);
    expect(y1).toBeGreaterThanOrEqual(60);
    expect(y1).toBeLessThanOrEqual(72);
    expect(y2).toBeGreaterThanOrEqual(108);
    expect(y2).toBeLessThanOrEqual(120);
  });

  it('ignores a change smaller than min_area', () => {
    const moving = frames(square(6, 4), 10);
    const detector = new MotionDetector(W, H, { ...CONFIG, min_area: 400 });
    expect(moving.map((f) => detector.detect(f)).some((r) => r.motion)).toBe(false);
    const sensitive = new MotionDetector(W, H, { ...CONFIG, min_area: 16 });
    expect(moving.map((f) => sensitive.detect(f)).some((r) => r.motion)).toBe(true);
  });

  it('treats a whole-frame brightness jump as lighting, not motion', () => {
    const dark = Buffer.alloc(W * H * 3, 40);
    const bright = Buffer.alloc(W * H * 3, 160);
    const detector = new MotionDetector(W, H, CONFIG);
    detector.detect(dark);
    expect(detector.detect(bright).motion).toBe(false);
    expect(detector.detect(bright).motion).toBe(false);
  });

  it('refuses a frame of the wrong size', () => {
    expect(() => new MotionDetector(W, H, CONFIG).detect(Buffer.alloc(10))).toThrow(/expected 172800/);
  });
});
