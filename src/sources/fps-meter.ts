/** Frames per second over a sliding window of recent frame times. */
export class FpsMeter {
  #times: number[] = [];

  constructor(readonly windowMs = 5000) {}

  tick(now: number): void {
    this.#times.push(now);
    this.#trim(now);
  }

  rate(now: number): number {
    this.#trim(now);
    const n = this.#times.length;
    if (n < 2) return 0;
    // Counting up to now (not to the last frame) lets a stalled stream's rate fall away.
    const span = (Math.max(now, this.#times[n - 1]) - this.#times[0]) / 1000;
    return span > 0 ? (n - 1) / span : 0;
  }

  reset(): void {
    this.#times = [];
  }

  #trim(now: number): void {
    const from = now - this.windowMs;
    let i = 0;
    while (i < this.#times.length && this.#times[i] < from) i++;
    if (i > 0) this.#times.splice(0, i);
  }
}
