/**
 * Holds model runs of the upload lane (lane.ts) until a worker is idle and the live pipeline has
 * left it alone for a moment. A camera's frame runs its models one after another with only a few
 * milliseconds between them: the grace keeps an upload from slipping into that gap, so live work
 * waits for an upload run only when it arrives while one is already running.
 */
export class UploadGate<W> {
  private readonly queue: Array<{ start: (worker: W) => void; fail: (err: Error) => void }> = [];
  private lastLive = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;

  constructor(
    /** A worker with nothing in flight, if there is one. */
    private readonly idleWorker: () => W | undefined,
    private readonly graceMs = 15,
  ) {}

  /** Runs waiting for a worker. */
  get waiting(): number {
    return this.queue.length;
  }

  /** A live run was sent or answered: uploads wait for the next quiet moment. */
  liveActivity(): void {
    this.lastLive = performance.now();
  }

  /** Starts `start` on an idle worker, now or when one frees up; `start` must mark the worker busy at once. */
  admit<R>(start: (worker: W) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ start: (worker) => start(worker).then(resolve, reject), fail: reject });
      this.pump();
    });
  }

  /** Call whenever a worker may have become idle. */
  pump(): void {
    while (this.queue.length > 0) {
      const quietFor = performance.now() - this.lastLive;
      if (quietFor < this.graceMs) {
        this.retryIn(this.graceMs - quietFor);
        return;
      }
      const worker = this.idleWorker();
      if (worker === undefined) return;
      this.queue.shift()?.start(worker);
    }
  }

  close(err: Error): void {
    clearTimeout(this.timer);
    for (const job of this.queue.splice(0)) job.fail(err);
  }

  private retryIn(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.ceil(ms));
    this.timer.unref();
  }
}
