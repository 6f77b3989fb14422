import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/sources/frame.js';
import { FrameSlot } from '../../src/sources/frame-slot.js';

const frame = (seq: number): Frame => ({ camera: 'c', width: 1, height: 1, data: Buffer.alloc(3), time: seq, seq });

describe('FrameSlot', () => {
  it('keeps only the newest frame when the consumer falls behind, counting the dropped ones', async () => {
    const slot = new FrameSlot();
    for (let i = 1; i <= 5; i++) slot.put(frame(i));
    expect((await slot.take()).seq).toBe(5);
    expect(slot.dropped).toBe(4);
  });

  it('hands a frame straight to a waiting consumer without dropping', async () => {
    const slot = new FrameSlot();
    const waiting = slot.take();
    slot.put(frame(1));
    expect((await waiting).seq).toBe(1);
    slot.put(frame(2));
    expect((await slot.take()).seq).toBe(2);
    expect(slot.dropped).toBe(0);
  });

  it('rejects a waiting take when its signal aborts, and the next frame is kept for later', async () => {
    const slot = new FrameSlot();
    const ac = new AbortController();
    const waiting = slot.take(ac.signal);
    ac.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    slot.put(frame(7));
    expect((await slot.take()).seq).toBe(7);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(new FrameSlot().take(ac.signal)).rejects.toBeDefined();
  });
});
