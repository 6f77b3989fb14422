import type { Frame } from './frame.js';

/**
 * A mailbox holding at most one frame between a camera source and its consumer. The newest frame
 * wins: when analysis falls behind, older frames are dropped (and counted) rather than queued,
 * so memory stays bounded and the consumer always sees the present.
 */
export class FrameSlot {
  #frame: Frame | undefined;
  #waiters: Array<(f: Frame) => void> = [];
  #dropped = 0;

  /** Frames replaced before any consumer took them. */
  get dropped(): number {
    return this.#dropped;
  }

  put(f: Frame): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter(f);
      return;
    }
    if (this.#frame) this.#dropped++;
    this.#frame = f;
  }

  /** The waiting frame if there is one, else the next one put; rejects when `signal` aborts. */
  take(signal?: AbortSignal): Promise<Frame> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const waiting = this.#frame;
    if (waiting) {
      this.#frame = undefined;
      return Promise.resolve(waiting);
    }
    return new Promise<Frame>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(abortReason(signal!));
      };
      const waiter = (f: Frame): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(f);
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}
