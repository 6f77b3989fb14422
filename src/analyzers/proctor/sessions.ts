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
 * `keep`). Held in memory: a restart ends every session, so an exam never silently runs on.
 */
export class ProctorSessions implements SessionsView {
  private readonly running = new Map<string, ProctorSession>();
  private ended: ProctorSession[] = [];
  private counter = 0;
  private readonly listeners = new Set<(camera: string) => void>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly keep = 100,
  ) {}

  active(camera: string): ProctorSession | null {
    return this.running.get(camera) ?? null;
  }

  /** Starts a session (or returns the one already running on that camera). */
  start(camera: string, name = ''): ProctorSession {
    const running = this.running.get(camera);
    if (running) return running;
    const started = this.now();
    const session: ProctorSession = { id: `${camera}-${started}-${++this.counter}`, camera, name, started_at: started, ended_at: null };
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
    this.ended = [session, ...this.ended].slice(0, this.keep);
    this.changed(camera);
    return session;
  }

  list(): ProctorSession[] {
    return [...this.running.values(), ...this.ended];
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
