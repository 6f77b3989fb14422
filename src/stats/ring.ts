/**
 * The last `size` values of a measurement, in a fixed Float64Array: recording (once per model run
 * or per event) never allocates; only reading the percentiles does, and that happens once a
 * request or once a minute.
 */
export class Ring {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  /** Every value ever recorded, not only those still held. */
  count = 0;

  constructor(readonly size = 512) {
    this.values = new Float64Array(size);
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
    if (this.filled < this.size) this.filled++;
    this.count++;
  }

  /** Nearest-rank percentiles (0–100) of the values held; null when none are. */
  percentiles(...ps: number[]): Array<number | null> {
    if (this.filled === 0) return ps.map(() => null);
    const sorted = this.values.slice(0, this.filled).sort();
    return ps.map((p) => sorted[Math.min(this.filled - 1, Math.max(0, Math.ceil((p / 100) * this.filled) - 1))]);
  }
}

/** p50 and p95 in milliseconds, rounded to 0.1 ms, as the API and MQTT show them. */
export function p50p95(ring: Ring): { p50: number | null; p95: number | null } {
  const [p50, p95] = ring.percentiles(50, 95).map((v) => (v === null ? null : Math.round(v * 10) / 10));
  return { p50, p95 };
}
