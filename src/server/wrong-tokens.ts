import type { Logger } from '../log.js';

/** Wrong tokens an address may send in a window before it is refused for the rest of it. */
export const WRONG_TOKEN_LIMIT = 100;
/** The window, and the longest an address waits. */
export const WRONG_TOKEN_WINDOW_MS = 60_000;

/**
 * Wrong access tokens, counted per address: each window's first one is logged (with the address,
 * never the token), and past WRONG_TOKEN_LIMIT in a window the address is refused until the window
 * ends, the right token too (else a refusal would still tell a right guess). A generated token
 * cannot be guessed in any number of tries; a short `server.token` might be, and someone trying
 * should show in the log. A browser with a stale cookie sends a few a minute, far under the limit.
 */
export class WrongTokens {
  private readonly seen = new Map<string, { since: number; count: number }>();

  constructor(
    private readonly logger?: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Milliseconds until `address` may try again, or 0. */
  waitFor(address: string): number {
    const s = this.current(address);
    return s && s.count >= WRONG_TOKEN_LIMIT ? s.since + WRONG_TOKEN_WINDOW_MS - this.clock() : 0;
  }

  /** One more wrong token from `address`. */
  wrong(address: string): void {
    let s = this.current(address);
    if (!s) {
      s = { since: this.clock(), count: 0 };
      this.seen.set(address, s);
      // Bounded: old windows go once there are many addresses.
      if (this.seen.size > 1000) for (const [a, o] of this.seen) if (this.clock() - o.since >= WRONG_TOKEN_WINDOW_MS) this.seen.delete(a);
    }
    s.count++;
    if (s.count === 1) this.logger?.warn(`a request from ${address} gave a wrong access token (each further one this minute is counted, not logged)`);
    if (s.count === WRONG_TOKEN_LIMIT) this.logger?.warn(`${address} gave ${WRONG_TOKEN_LIMIT} wrong access tokens within a minute: refused until the minute is over`);
  }

  private current(address: string): { since: number; count: number } | undefined {
    const s = this.seen.get(address);
    return s && this.clock() - s.since < WRONG_TOKEN_WINDOW_MS ? s : undefined;
  }
}
