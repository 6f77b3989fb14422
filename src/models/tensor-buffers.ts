/**
 * Model input buffers, used again. A run's feeds are transferred to the inference worker and come
 * back with its reply (inference-worker.ts), so the next input of the same size is written into
 * one of them instead of a new Float32Array. Why: a fresh 3 MB CenterNet input (0.6–0.8 MB a
 * crop) is a zeroed mapping every run, and V8 counts each one toward its next full collection
 * (docs/benchmarks.md, "Garbage collection").
 *
 * A buffer from `float32()` holds an earlier input: the caller writes every element.
 */
export class TensorBuffers {
  private readonly free = new Map<number, ArrayBuffer[]>();

  /** Bounds what is kept: `perSize` buffers of each byte length, at most `sizes` lengths. */
  constructor(
    private readonly perSize = 4,
    private readonly sizes = 16,
  ) {}

  float32(length: number): Float32Array {
    const kept = this.free.get(length * 4)?.pop();
    return kept ? new Float32Array(kept) : new Float32Array(length);
  }

  /** Takes a buffer back once nothing reads it any more; a detached one (length 0) is ignored. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0) return;
    let list = this.free.get(buffer.byteLength);
    if (!list) {
      if (this.free.size >= this.sizes) return;
      list = [];
      this.free.set(buffer.byteLength, list);
    }
    if (list.length < this.perSize && !list.includes(buffer)) list.push(buffer);
  }

  /** Buffers kept, for tests and stats. */
  get kept(): number {
    let n = 0;
    for (const list of this.free.values()) n += list.length;
    return n;
  }
}
