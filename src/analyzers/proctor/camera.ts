import type { Detection } from '../../events/analyzed-frame.js';
import type { RgbImage } from '../../vision/image.js';
import type { AnalyzerModels, CameraAnalyzer, FrameContext, MatchFace, SessionsView } from '../analyzer.js';
import type { ProctorConfig, SeatConfig } from './config.js';
import type { Incident } from './cue-timer.js';
import { SeatObserver, type Classifier } from './observe.js';
import { ProctorRoom, type OccupiedMemory, type OpenIncident } from './room.js';
import { resolveSeats, type Seat } from './seats.js';

/** The sessions as the camera sees them; with `occupied`/`markOccupied` a session resumed after a restart remembers its seats. */
export interface ExamSessions extends SessionsView {
  occupied?(id: string): string[];
  markOccupied?(id: string, seat: string): void;
}

export interface ProctorCameraOptions {
  camera: string;
  config: ProctorConfig;
  seats: readonly SeatConfig[];
  models: AnalyzerModels;
  matchFace: MatchFace;
  /** Whether an exam runs now; `always` for a recording that is one session from start to end (the CLI). */
  sessions: ExamSessions | 'always' | undefined;
  classifier?: () => Classifier | null;
  /** Each incident once it has ended (the CLI's report). */
  onIncident?: (incident: Incident) => void;
  /** Keep a background once taken (the CLI's `--background`, or its first empty frames); by default an empty seat refreshes its own, following the light. */
  fixedBackground?: boolean;
}

/**
 * The proctor on one camera. Outside a session it raises nothing and forgets its seats; inside
 * one, every open incident is a `suspicious` detection on each analyzed frame, labelled with its
 * cue and sub-labelled with its seat, boxed by the seat (a seat does not move, so the tracker
 * keeps one event per incident).
 */
export class ProctorCamera implements CameraAnalyzer {
  readonly observer: SeatObserver;
  private room: { session: string; room: ProctorRoom } | null = null;
  private seats: { width: number; height: number; seats: Seat[] } | null = null;
  private lastTime = 0;

  constructor(private readonly opts: ProctorCameraOptions) {
    this.observer = new SeatObserver({ models: opts.models, matchFace: opts.matchFace, config: opts.config, classifier: opts.classifier ?? (() => null) });
  }

  /** The seats at one frame size (seats given as fractions depend on it). */
  seatsFor(width: number, height: number): Seat[] {
    if (this.seats?.width !== width || this.seats.height !== height) this.seats = { width, height, seats: resolveSeats(this.opts.seats, width, height) };
    return this.seats.seats;
  }

  /** Whether the seat has been seen empty (its background) at this frame's size. */
  hasBackground(img: RgbImage, seat: Seat): boolean {
    return this.observer.hasBackground(img, seat);
  }

  /** The seat's 18 ratios against its background (a training sample), or null without a background or silhouette. */
  features(img: RgbImage, seat: Seat): Float32Array | null {
    return this.observer.features(img, seat);
  }

  /** The seat's normalised pose vector (the pose model on its crop), or null. */
  pose(img: RgbImage, seat: Seat): Promise<Float32Array | null> {
    return this.observer.pose(img, seat);
  }

  /** What the k-NN is trained on (`analyzers.proctor.features`). */
  get featureMode(): ProctorConfig['features'] {
    return this.opts.config.features;
  }

  async analyze(frame: FrameContext): Promise<Detection[]> {
    const { sessions } = this.opts;
    const session = sessions === 'always' ? { id: 'always' } : (sessions?.active(frame.camera) ?? null);
    if (session?.id !== this.room?.session) this.end(frame.time);
    if (!session) return [];
    this.room ??= { session: session.id, room: new ProctorRoom(this.opts.config, this.candidates(), this.opts.onIncident, this.memory(session.id)) };
    this.lastTime = frame.time;
    const seats = this.seatsFor(frame.img.width, frame.img.height);
    const facts = { img: frame.img, objects: await frame.objects(), persons: await frame.persons(), earlier: frame.earlier };
    const observations = await this.observer.observe(facts, seats, this.opts.fixedBackground);
    // Stopped while this frame was analysed: its incidents were ended with the session, not raised again.
    if (sessions !== 'always' && sessions?.active(frame.camera)?.id !== session.id) return [];
    const open = this.room.room.observe(frame.time, observations);
    return open.map((o) => this.detection(o, session, seats));
  }

  /** Ends the session's open incidents at `time` (the last frame's, when not given). */
  end(time = this.lastTime): void {
    this.room?.room.finish(time);
    this.room = null;
  }

  reset(): void {
    this.end();
  }

  private memory(id: string): OccupiedMemory | undefined {
    const { sessions } = this.opts;
    if (typeof sessions !== 'object' || !sessions.occupied || !sessions.markOccupied) return undefined;
    const mark = sessions.markOccupied.bind(sessions);
    return { seats: sessions.occupied(id), mark: (seat) => mark(id, seat) };
  }

  private candidates(): Map<string, string> {
    return new Map(this.opts.seats.flatMap((s) => (s.candidate ? [[s.name, s.candidate] as [string, string]] : [])));
  }

  private detection(o: OpenIncident, session: { id: string; name?: string }, seats: readonly Seat[]): Detection {
    const seat = seats.find((s) => s.name === o.seat);
    const box = seat?.box ?? [0, 0, 0, 0];
    return {
      kind: 'suspicious',
      label: o.kind,
      sub_label: o.seat,
      score: o.score,
      box: [box[0], box[1], box[2], box[3]],
      attributes: {
        seat: o.seat,
        cue: o.kind,
        session: session.id,
        // the name the invigilator gave it ("Maths paper 2"): alerts and automations say which exam
        session_name: session.name || null,
        since: new Date(o.start).toISOString(),
        candidate: seat?.candidate ?? null,
      },
    };
  }
}
