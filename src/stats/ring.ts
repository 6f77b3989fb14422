/**
 * The last `size` values of a measurement and when each was recorded, in fixed Float64Arrays:
 * recording (once per model run or per event) never allocates; only reading the percentiles does,
 * and that happens once a request or once a minute.
 */
export class Ring {
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private next = 0;
  private filled = 0;
  /** Every value ever recorded, not only those still held. */
  count = 0;

  constructor(readonly size = 512) {
    this.values = new Float64Array(size);
    this.times = new Float64Array(size);
  }

  /** `time`: when it was measured (ms), for reading only the values since a moment. */
  push(value: number, time = 0): void {
    this.values[this.next] = value;
    this.times[this.next] = time;
    this.next = (this.next + 1) % this.size;
    if (this.filled < this.size) this.filled++;
    this.count++;
  }

  /** Nearest-rank percentiles (0–100) of the values held, recorded at or after `since`; null when none are. */
  percentiles(ps: number[], since = Number.NEGATIVE_INFINITY): Array<number | null> {
    const kept = this.values.slice(0, this.filled).filter((_, i) => this.times[i] >= since);
    if (kept.length === 0) return ps.map(() => null);
    const sorted = kept.sort();
    return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
  }
}

/** p50 and p95 in milliseconds, rounded to 0.1 ms, as the API and MQTT show them; `since`: of the values recorded since then. */
export function p50p95(ring: Ring, since?: number): { p50: number | null; p95: number | null } {
  const [p50, p95] = ring.percentiles([50, 95], since).map((v) => (v === null ? null : Math.round(v * 10) / 10));
  return { p50, p95 };
}
