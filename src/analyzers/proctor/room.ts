import { CUES, type ProctorConfig } from './config.js';
import { CueTimer, type Incident } from './cue-timer.js';
import { readCues, type SeatObservation } from './cues.js';

/** An incident still open: what the analyzer reports on each frame while it lasts. */
export interface OpenIncident {
  kind: string;
  seat: string;
  start: number;
  score: number;
}

/** Seats sat in earlier in the session (before a restart), and where to record a seat's first occupant. */
export interface OccupiedMemory {
  seats: readonly string[];
  mark(seat: string): void;
}

interface SeatState {
  everOccupied: boolean;
  timers: CueTimer[];
}

/**
 * The seats of one camera during one session: each frame's observations go through each
 * seat's cues and their timers. Incidents that ended are handed to `onIncident` (the CLI's
 * report); those open are returned, to be raised as events while they last.
 */
export class ProctorRoom {
  private readonly seats = new Map<string, SeatState>();

  constructor(
    private readonly config: ProctorConfig,
    private readonly candidates: ReadonlyMap<string, string>,
    private readonly onIncident: (incident: Incident) => void = () => {},
    private readonly memory?: OccupiedMemory,
  ) {}

  observe(time: number, observations: ReadonlyMap<string, SeatObservation>): OpenIncident[] {
    const open: OpenIncident[] = [];
    for (const [seat, o] of observations) {
      const state = this.seat(seat);
      const cues = readCues(o, this.config, state.everOccupied, this.candidates.get(seat));
      for (const timer of state.timers) {
        const cue = cues[timer.kind as keyof typeof cues];
        const ended = timer.update(time, cue.active, cue.score);
        if (ended) this.onIncident(ended);
        if (timer.open) open.push({ kind: timer.kind, seat, start: timer.start, score: timer.score });
      }
      if ((o.persons.length > 0 || o.faces.length > 0) && !state.everOccupied) {
        state.everOccupied = true;
        this.memory?.mark(seat);
      }
    }
    return open;
  }

  /** Ends every open incident at `time` (the session or the video is over) and forgets the seats. */
  finish(time: number): void {
    for (const state of this.seats.values()) {
      for (const timer of state.timers) {
        const ended = timer.finish(time);
        if (ended) this.onIncident(ended);
      }
    }
    this.seats.clear();
  }

  private seat(name: string): SeatState {
    let state = this.seats.get(name);
    if (!state) {
      const clearMs = this.config.clear_seconds * 1000;
      const timers = CUES.map((cue) => new CueTimer(cue, name, this.config.cues[cue].seconds * 1000, clearMs));
      state = { everOccupied: this.memory?.seats.includes(name) ?? false, timers };
      this.seats.set(name, state);
    }
    return state;
  }
}
