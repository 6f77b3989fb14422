/** One incident: a cue that held on one seat from `start` to `end` (milliseconds, the frames' clock). */
export interface Incident {
  kind: string;
  seat: string;
  start: number;
  end: number;
  /** The strongest the cue was while it held (0…1). */
  score: number;
}

/**
 * A cue's condition over time on one seat, with its minimum duration and its grace: the
 * incident opens once the condition has held `minMs` (its start is when it began to hold) and
 * ends when the condition has been false for `clearMs`; its end is the first frame that saw it
 * false, so one missed detection inside the grace does not split an incident in two.
 */
export class CueTimer {
  private since: number | null = null;
  private firstFalse: number | null = null;
  private best = 0;
  private opened = false;

  constructor(
    readonly kind: string,
    readonly seat: string,
    private readonly minMs: number,
    private readonly clearMs: number,
  ) {}

  get open(): boolean {
    return this.opened;
  }

  /** When the open incident's condition began to hold. */
  get start(): number {
    return this.since ?? 0;
  }

  get score(): number {
    return this.best;
  }

  /** Feeds one frame; returns the incident that this frame ended, if any. */
  update(time: number, active: boolean, score: number): Incident | null {
    if (active) {
      if (this.since === null) [this.since, this.best] = [time, score];
      this.firstFalse = null;
      this.best = Math.max(this.best, score);
      if (!this.opened && time - this.since >= this.minMs) this.opened = true;
      return null;
    }
    if (this.since === null) return null;
    this.firstFalse ??= time;
    if (time - this.firstFalse < this.clearMs) return null;
    return this.finish(this.firstFalse);
  }

  /** Ends whatever holds now (the session or the video ended at `time`). */
  finish(time: number): Incident | null {
    const end = this.firstFalse ?? time;
    const incident = this.opened && this.since !== null ? { kind: this.kind, seat: this.seat, start: this.since, end, score: this.best } : null;
    this.since = null;
    this.firstFalse = null;
    this.opened = false;
    this.best = 0;
    return incident;
  }
}
