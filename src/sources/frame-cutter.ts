/**
 * Cuts a byte stream (ffmpeg's rawvideo stdout) into frames of exactly `frameBytes` bytes.
 * Chunks are kept by reference until a frame is complete, then copied once into the frame's
 * own Buffer, so a frame never shares memory with the pipe's chunks or with another frame.
 * Each frame owns its whole ArrayBuffer (never Node's shared pool), so it can be transferred
 * to a worker thread.
 */
export class FrameCutter {
  #chunks: Buffer[] = [];
  #offset = 0; // bytes of #chunks[0] already used by the previous frame
  #buffered = 0; // bytes held in #chunks beyond #offset

  constructor(readonly frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new Error(`frame size must be a positive integer, got ${frameBytes}`);
  }

  /** Bytes waiting for the rest of their frame. */
  get pending(): number {
    return this.#buffered;
  }

  /** Adds a chunk and returns every frame it completes (often none, sometimes several). */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length === 0) return [];
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.#buffered >= this.frameBytes) frames.push(this.#cut());
    return frames;
  }

  /** Forgets a partial frame, e.g. when the stream restarts. */
  reset(): void {
    this.#chunks = [];
    this.#offset = 0;
    this.#buffered = 0;
  }

  #cut(): Buffer {
    const frame = Buffer.allocUnsafeSlow(this.frameBytes);
    let filled = 0;
    while (filled < this.frameBytes) {
      const head = this.#chunks[0];
      const n = Math.min(head.length - this.#offset, this.frameBytes - filled);
      head.copy(frame, filled, this.#offset, this.#offset + n);
      filled += n;
      this.#offset += n;
      if (this.#offset === head.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
    }
    this.#buffered -= this.frameBytes;
    return frame;
  }
}
