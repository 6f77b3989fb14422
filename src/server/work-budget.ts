import { HttpError } from './http-error.js';

export interface WorkBudgetOptions {
  /** Jobs (decode + analysis of one request) running at once. */
  concurrency: number;
  /** Requests let in beyond those running: their bodies are read and they wait their turn. */
  queue: number;
  /** Sum of the estimated memory of the jobs running at once. A job larger than this runs alone. */
  memoryBytes: number;
  /** A request that waited this long for its turn is refused (live cameras may keep the models busy). */
  maxWaitMs: number;
}

/** Defaults sized for a 2–4 GB Home Assistant box: two decodes at a time, at most ~256 MB of pixels. */
export const DEFAULT_WORK_BUDGET: WorkBudgetOptions = { concurrency: 2, queue: 6, memoryBytes: 256 * 1024 * 1024, maxWaitMs: 30_000 };

/** A place in the budget, taken at the door; released when the answer has gone (or the client has). */
export interface WorkTicket {
  /** Runs `work` once there is a slot and memory for `costBytes`; 503 when it waited too long. */
  run<T>(costBytes: number, work: () => Promise<T>): Promise<T>;
  release(): void;
}

interface Waiting {
  cost: number;
  start: () => void;
  timer: NodeJS.Timeout;
}

/**
 * The bound on image work (issue 17): fifty 40-megapixel uploads at once took a process from
 * 0.85 to 7.35 GB. Requests are counted at the door, before their bodies are read, so a flood
 * is turned away with 503 and `Retry-After` while it costs nothing; those let in run a few at a
 * time, within a memory ceiling estimated from each image's header.
 */
export class WorkBudget {
  private admitted = 0;
  private running = 0;
  private usedBytes = 0;
  private readonly waiting: Waiting[] = [];
  /** Recent job duration, for `Retry-After`. */
  private averageMs = 1000;

  constructor(readonly opts: WorkBudgetOptions = DEFAULT_WORK_BUDGET) {}

  get stats(): { admitted: number; running: number; waiting: number; usedBytes: number } {
    return { admitted: this.admitted, running: this.running, waiting: this.waiting.length, usedBytes: this.usedBytes };
  }

  /** Lets a request in, or refuses it with 503 when the queue is full. */
  admit(): WorkTicket {
    const { concurrency, queue } = this.opts;
    if (this.admitted >= concurrency + queue) throw this.busy(`${this.admitted} image requests are already being handled`);
    this.admitted++;
    let released = false;
    return {
      run: (cost, work) => this.run(cost, work),
      release: () => {
        if (released) return;
        released = true;
        this.admitted--;
      },
    };
  }

  /** Seconds a refused client should wait: the queue ahead of it, at the recent pace. */
  retryAfterSeconds(): number {
    const ahead = this.running + this.waiting.length;
    return Math.min(60, Math.max(1, Math.ceil(((ahead / this.opts.concurrency) * this.averageMs) / 1000)));
  }

  private busy(why: string): HttpError {
    const retry = this.retryAfterSeconds();
    return new HttpError(503, 'busy', `Argus is busy: ${why}; try again in ${retry} s`, { retry_after: retry }, { 'retry-after': String(retry) });
  }

  private fits(cost: number): boolean {
    if (this.running >= this.opts.concurrency) return false;
    return this.running === 0 || this.usedBytes + cost <= this.opts.memoryBytes;
  }

  private async run<T>(cost: number, work: () => Promise<T>): Promise<T> {
    if (this.waiting.length > 0 || !this.fits(cost)) {
      await this.turn(cost); // next() counted it in
    } else {
      this.running++;
      this.usedBytes += cost;
    }
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.running--;
      this.usedBytes -= cost;
      this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - t0);
      this.next();
    }
  }

  /** Waits in line (first come, first served: a large job is not overtaken forever by small ones). */
  private turn(cost: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry: Waiting = {
        cost,
        start: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          reject(this.busy(`the request waited ${Math.round(this.opts.maxWaitMs / 1000)} s for its turn (live cameras come first)`));
          this.next();
        }, this.opts.maxWaitMs),
      };
      this.waiting.push(entry);
    });
  }

  private next(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0].cost)) {
      const entry = this.waiting.shift();
      if (!entry) return;
      // Counted as running before its continuation runs, so the next check sees it.
      this.running++;
      this.usedBytes += entry.cost;
      entry.start();
    }
  }
}
