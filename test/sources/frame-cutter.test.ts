import { describe, expect, it } from 'vitest';
import { FrameCutter } from '../../src/sources/frame-cutter.js';

/** A stream of `count` frames where byte k of frame f is (f * 7 + k) % 251: any misalignment shows. */
function stream(frameBytes: number, count: number): Buffer {
  const b = Buffer.alloc(frameBytes * count);
  for (let f = 0; f < count; f++) for (let k = 0; k < frameBytes; k++) b[f * frameBytes + k] = (f * 7 + k) % 251;
  return b;
}

function splitRandomly(b: Buffer, seed: number): Buffer[] {
  const parts: Buffer[] = [];
  let s = seed;
  for (let at = 0; at < b.length; ) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (s % 500);
    parts.push(b.subarray(at, at + n));
    at += n;
  }
  return parts;
}

describe('FrameCutter', () => {
  it('cuts frames at exact boundaries whatever the chunk sizes', () => {
    const frameBytes = 4 * 3 * 3;
    const whole = stream(frameBytes, 40);
    for (const seed of [1, 2, 3, 99]) {
      const cutter = new FrameCutter(frameBytes);
      const frames = splitRandomly(whole, seed).flatMap((c) => cutter.push(c));
      expect(frames).toHaveLength(40);
      for (const [i, f] of frames.entries()) expect(f.equals(whole.subarray(i * frameBytes, (i + 1) * frameBytes))).toBe(true);
      expect(cutter.pending).toBe(0);
    }
  });

  it('returns several frames from one large chunk and keeps the remainder for the next', () => {
    const cutter = new FrameCutter(10);
    const whole = stream(10, 3);
    expect(cutter.push(whole.subarray(0, 25))).toHaveLength(2);
    expect(cutter.pending).toBe(5);
    const [third] = cutter.push(whole.subarray(25));
    expect(third.equals(whole.subarray(20))).toBe(true);
  });

  it('gives each frame its own memory, not a view of the pipe chunk', () => {
    const cutter = new FrameCutter(4);
    const chunk = Buffer.from([1, 2, 3, 4]);
    const [frame] = cutter.push(chunk);
    chunk.fill(0);
    expect([...frame]).toEqual([1, 2, 3, 4]);
  });

  it('gives each frame an ArrayBuffer of its own, so it can be transferred to a worker', () => {
    const cutter = new FrameCutter(12);
    const [a, b] = cutter.push(Buffer.alloc(24));
    for (const f of [a, b]) {
      expect(f.byteOffset).toBe(0);
      expect(f.buffer.byteLength).toBe(12);
    }
  });

  it('drops a partial frame on reset so a restarted stream starts aligned', () => {
    const cutter = new FrameCutter(4);
    cutter.push(Buffer.from([9, 9]));
    cutter.reset();
    expect([...cutter.push(Buffer.from([1, 2, 3, 4]))[0]]).toEqual([1, 2, 3, 4]);
  });

  it('refuses a frame size that is not a positive whole number', () => {
    expect(() => new FrameCutter(0)).toThrow(/positive integer/);
  });
});
