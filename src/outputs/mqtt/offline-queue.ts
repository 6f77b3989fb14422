/** One message waiting for the broker. `done`: called once the broker has it (the stats' latency). */
export interface HeldMessage {
  topic: string;
  payload: string | Buffer;
  retain: boolean;
  qos: 0 | 1;
  done?: () => void;
}

/** What a broker away for a night may cost: the newest messages up to this many bytes are kept. */
export const MAX_HELD_BYTES = 16 * 1024 * 1024;
export const MAX_HELD_MESSAGES = 5000;

/**
 * The messages published while the broker is away, bounded. A retained message is a state: only
 * the newest one of its topic is kept (HA reads the last state, and a snapshot a camera sends at
 * every update would pile up). Others (events) are kept in order up to the bound, the oldest
 * dropped first; mqtt.js' own offline queue has no bound (RSS grew 10–12 MB over a one-minute outage in a user pass).
 */
export class OfflineQueue {
  private readonly held = new Map<string, HeldMessage>();
  private bytes = 0;
  private seq = 0;
  /** Messages dropped for the bound since the queue was last emptied. */
  dropped = 0;

  constructor(
    private readonly maxBytes = MAX_HELD_BYTES,
    private readonly maxMessages = MAX_HELD_MESSAGES,
  ) {}

  get size(): number {
    return this.held.size;
  }

  hold(message: HeldMessage): void {
    const key = message.retain ? `r\n${message.topic}` : `m\n${this.seq++}`;
    const earlier = this.held.get(key);
    // replaced by its newer state (and moved to the end, where the newer one belongs)
    if (earlier) this.forget(key, earlier);
    this.held.set(key, message);
    this.bytes += sizeOf(message);
    for (const [oldest, m] of this.held) {
      if (this.bytes <= this.maxBytes && this.held.size <= this.maxMessages) break;
      this.forget(oldest, m);
      this.dropped++;
    }
  }

  /** Everything held, oldest first; the queue is empty after. */
  take(): HeldMessage[] {
    const all = [...this.held.values()];
    this.held.clear();
    this.bytes = 0;
    this.dropped = 0;
    return all;
  }

  private forget(key: string, message: HeldMessage): void {
    this.held.delete(key);
    this.bytes -= sizeOf(message);
  }
}

const sizeOf = (m: HeldMessage) => m.topic.length + (typeof m.payload === 'string' ? Buffer.byteLength(m.payload) : m.payload.length);
