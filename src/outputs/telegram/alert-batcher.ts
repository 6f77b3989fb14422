export interface BatcherOptions<T> {
  /** How long the first item of a quiet key waits for others to join it. */
  windowMs: number;
  /** Least time between two flushes of the same key. */
  cooldownMs: number;
  flush(key: string, items: T[]): void;
  clock?: () => number;
  /** When `key` last flushed before this batcher existed (kept across restarts). */
  lastFlush?: (key: string) => number | undefined;
  /** Told of each flush, to keep its time. */
  flushed?: (key: string, at: number) => void;
}

interface Pending<T> {
  items: T[];
  timer?: NodeJS.Timeout;
  lastFlush: number;
}

/**
 * Turns a burst into one message: items for a key (camera + kind) are gathered for `windowMs`,
 * then flushed together; after a flush the key stays in cooldown, and whatever arrives
 * meanwhile is flushed together when the cooldown ends. Nothing is dropped.
 */
export class AlertBatcher<T> {
  private readonly keys = new Map<string, Pending<T>>();
  private readonly clock: () => number;

  constructor(private readonly opts: BatcherOptions<T>) {
    this.clock = opts.clock ?? Date.now;
  }

  /** `cooldownMs`: this key's own rest, where its alert kind sets one (AlertSpec.cooldown). */
  add(key: string, item: T, cooldownMs = this.opts.cooldownMs): void {
    let p = this.keys.get(key);
    if (!p) {
      // Never later than now: a clock set back would otherwise hold the key far past its cooldown.
      p = { items: [], lastFlush: Math.min(this.opts.lastFlush?.(key) ?? -Infinity, this.clock()) };
      this.keys.set(key, p);
    }
    p.items.push(item);
    if (p.timer) return;
    const delay = Math.max(this.opts.windowMs, p.lastFlush + cooldownMs - this.clock());
    const pending = p;
    p.timer = setTimeout(() => this.fire(key, pending), delay);
  }

  /** Flushes everything still gathering (on stop, so a shutdown loses nothing already seen). */
  flushAll(): void {
    for (const [key, p] of this.keys) {
      clearTimeout(p.timer);
      if (p.items.length) this.fire(key, p);
    }
    this.keys.clear();
  }

  private fire(key: string, p: Pending<T>): void {
    p.timer = undefined;
    const items = p.items;
    p.items = [];
    p.lastFlush = this.clock();
    if (!items.length) return;
    this.opts.flushed?.(key, p.lastFlush);
    this.opts.flush(key, items);
  }
}
