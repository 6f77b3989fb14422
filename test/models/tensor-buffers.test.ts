import { describe, expect, it } from 'vitest';
import { TensorBuffers } from '../../src/models/tensor-buffers.js';

describe('TensorBuffers', () => {
  it('hands out a given-back buffer of the right size, once', () => {
    const buffers = new TensorBuffers();
    const a = new Float32Array(6).fill(3);
    buffers.give(a.buffer);
    expect(buffers.float32(5)).toEqual(new Float32Array(5)); // another size: new, zeroed
    const again = buffers.float32(6);
    expect(again.buffer).toBe(a.buffer);
    expect(buffers.float32(6).buffer).not.toBe(a.buffer);
    expect(buffers.kept).toBe(0);
  });

  it('keeps at most perSize buffers of a size and at most `sizes` sizes', () => {
    const buffers = new TensorBuffers(2, 2);
    for (let i = 0; i < 5; i++) buffers.give(new ArrayBuffer(16));
    buffers.give(new ArrayBuffer(32));
    buffers.give(new ArrayBuffer(64)); // a third size: dropped
    expect(buffers.kept).toBe(3);
    expect(buffers.float32(16).length).toBe(16);
  });

  it('ignores a detached buffer and one given twice', () => {
    const buffers = new TensorBuffers();
    const b = new ArrayBuffer(8);
    buffers.give(b);
    buffers.give(b);
    const detached = new ArrayBuffer(8);
    structuredClone(detached, { transfer: [detached] });
    buffers.give(detached);
    expect(buffers.kept).toBe(1);
  });
});
