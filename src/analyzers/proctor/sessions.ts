import type { ProctorSessionStore } from '../../store/proctor-sessions.js';
import type { SessionsView, SwitchControl } from '../analyzer.js';

/** An exam session on one camera: incidents belong to it, and outside one nothing is raised. */
export interface ProctorSession {
  id: string;
  camera: string;
  /** What the invigilator called it ("Maths paper 2"); may be empty. */
  name: string;
  started_at: number;
  ended_at: number | null;
}

/**
 * Which cameras are in an exam session now, and the sessions that ended (newest first, the last
 * `keep`). With a store, every start and end is written to SQLite and the sessions that were
 * running when Argus stopped run again when it starts: an exam outlives a restart or an update.
 */
export class ProctorSessions implements SessionsView {
  private readonly running = new Map<string, ProctorSession>();
  private ended: ProctorSession[] = [];
  private counter = 0;
  private readonly listeners = new Set<(camera: string) => void>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly keep = 100,
    private readonly store?: ProctorSessionStore,
  ) {
    if (!store) return;
    for (const s of store.running()) this.running.set(s.camera, s);
    this.ended = store.ended(keep);
  }

  active(camera: string): ProctorSession | null {
    return this.running.get(camera) ?? null;
  }

  /** Starts a session (or returns the one already running on that camera). */
  start(camera: string, name = ''): ProctorSession {
    const running = this.running.get(camera);
    if (running) return running;
    const started = this.now();
    const session: ProctorSession = { id: `${camera}-${started}-${++this.counter}`, camera, name, started_at: started, ended_at: null };
    this.store?.insert(session);
    this.running.set(camera, session);
    this.changed(camera);
    return session;
  }

  /** Ends the camera's session; null when none was running. */
  stop(camera: string): ProctorSession | null {
    const session = this.running.get(camera);
    if (!session) return null;
    this.running.delete(camera);
    session.ended_at = this.now();
    this.store?.end(session.id, session.ended_at);
    this.ended = [session, ...this.ended].slice(0, this.keep);
    this.changed(camera);
    return session;
  }

  list(): ProctorSession[] {
    return [...this.running.values(), ...this.ended];
  }

  /** A session by id: one held here, else (with a store) one that ended long ago. */
  find(id: string): ProctorSession | null {
    return this.list().find((s) => s.id === id) ?? this.store?.get(id) ?? null;
  }

  /** Seats someone sat in during the session, as stored (none without a store). */
  occupied(id: string): string[] {
    return this.store?.occupied(id) ?? [];
  }

  /** Remembers that someone sat in the seat, so after a restart an empty seat is `left_seat`, not `absent`. */
  markOccupied(id: string, seat: string): void {
    this.store?.markOccupied(id, seat);
  }

  /** Told of every start and stop, whoever made it (the API, MQTT, the schedule). */
  onChange(listener: (camera: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The "Exam session" switch's view: on while a session runs. */
  switchControl(name: string): SwitchControl {
    return {
      get: (camera) => this.running.has(camera),
      set: (camera, on) => (on ? this.start(camera, name) : this.stop(camera)),
      onChange: (listener) => this.onChange(listener),
    };
  }

  private changed(camera: string): void {
    for (const listener of this.listeners) listener(camera);
  }
}
