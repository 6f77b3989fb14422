import type { Logger } from '../log.js';
import type { MotionResult } from '../motion/motion-detector.js';
import type { Frame } from '../sources/frame.js';
import type { AnalyzedFrame, Detection } from '../events/analyzed-frame.js';

export interface AnalysisSchedulerOptions {
  /** Runs the camera's analyzers on one frame. */
  analyze: (frame: Frame, motion: MotionResult) => Promise<Detection[]>;
  /**
   * Runs only the camera's essential analyzers (FrameAnalyzer.analyzeEssentials): null when it has
   * none. When they find something and `mayComplete`, the others too (the frame is then whole).
   * Without it, a scheduler that is behind drops frames rather than lighten them.
   */
  analyzeEssentials?: (frame: Frame, motion: MotionResult, mayComplete: boolean) => Promise<LightAnalysis | null>;
  onAnalyzed: (result: AnalyzedFrame) => void;
  /** Frames analyzed at once, across cameras. */
  concurrency: number;
  /**
   * With `analyzeEssentials`: one more frame at a time, by the essential analyzers only, while
   * every one of the `concurrency` slots is taken (see the class comment).
   */
  lightLane?: boolean;
  logger: Logger;
  /** Milliseconds, for how long frames wait (tests pass their own). */
  now?: () => number;
}

/** A frame the essential analyzers saw; `whole`: they found something, and the others then saw it too. */
export interface LightAnalysis {
  detections: Detection[];
  whole: boolean;
}

export interface CameraSchedulerStats {
  submitted: number;
  /** Frames analyzed, in full or by the essential analyzers only. */
  analyzed: number;
  /** Of those, frames the essential analyzers alone saw while frames were waiting (the others sat them out). */
  essential: number;
  /** Frames replaced by a newer one from the same camera before their turn came. */
  dropped: number;
  failed: number;
}

/**
 * How fast the share of frames analysed in full follows the waits: down this much for each frame
 * that waited late (LATE), up as much for each that did not.
 */
const SHARE_STEP = 0.02;
/**
 * A frame that waited longer than this share of its camera's frame interval is late: a little
 * later and the camera's next frame would replace it (a frame lost to every analyzer).
 */
const LATE = 0.5;
/** With the light lane, the weight of each frame in its camera's fullness (about its last 20 frames). */
const FULLNESS_STEP = 0.05;
/** A camera that sent a frame this recently counts in the cameras' mean fullness. */
const ACTIVE_MS = 2000;
/** Behind or not, each camera's frames are analysed in full at least this often (faces and poses every fifth frame). */
const MIN_FULL_SHARE = 0.2;

/**
 * Between the motion gates and the models. Each camera holds at most one waiting frame (a newer
 * one replaces it: analyzing the past helps nobody), and cameras take turns round-robin, never
 * two frames of one camera at once, so a busy camera cannot starve a quiet one.
 *
 * When frames wait (Argus is behind), with `analyzeEssentials` a frame may be seen by the
 * essential analyzers only (weapons, watched objects: a CenterNet run and little else) instead of
 * every analyzer, so those keep up with every frame while faces and poses take what time is left.
 * The share of frames analysed in full follows how long frames wait (lower when they wait half
 * their camera's frame interval, about to be replaced; higher when they do not) and is the same
 * for every camera: each camera earns that share of a full analysis per frame and spends one
 * whole on each full analysis, so no camera's faces starve. A frame that finds nothing else
 * waiting is analysed in full. A light frame in which the essential analyzers found something (a
 * weapon) is completed by the others, paid from the camera's credit like any full analysis, while
 * the camera is not in debt (a watched car parked in view cannot make every frame full).
 *
 * With `lightLane` (`analyzers.under_load: beside`) one more frame is analysed at a time, by the
 * essential analyzers alone, while the slots analyse in full (see pumpLanes): the frames a full
 * analysis would have left waiting are seen beside it, on the same cores. Far behind (the
 * cameras' mean share in full under MIN_FULL_SHARE) it gives way to the share controller above.
 */
export class AnalysisScheduler {
  private readonly waiting = new Map<string, { frame: Frame; motion: MotionResult; since: number }>();
  /** Per camera, when its last frame came and the time between its last two. */
  private readonly arrivals = new Map<string, { last: number; interval: number }>();
  private readonly ring: string[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly counts = new Map<string, CameraSchedulerStats>();
  /** Per camera, the full analyses it has earned (fullShare a frame) and not yet spent. */
  private readonly credit = new Map<string, number>();
  private fullShare = 1;
  /** Per camera: the share of its recent frames analysed in full (a moving average, 0–1; read with the light lane). */
  private readonly fullness = new Map<string, number>();
  /** Per camera, when a frame of it last went to the models. */
  private readonly served = new Map<string, number>();
  /** The camera whose frame the light lane holds, if any. */
  private lightCamera: string | null = null;
  private cursor = -1;
  private running = false;

  constructor(private readonly opts: AnalysisSchedulerOptions) {}

  start(): void {
    this.running = true;
  }

  /** Waits for frames in flight; frames still waiting are dropped (and counted so). */
  async stop(): Promise<void> {
    this.running = false;
    for (const camera of this.waiting.keys()) this.stats(camera).dropped++;
    this.waiting.clear();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** The motion gate's `onMotion`. */
  submit(frame: Frame, motion: MotionResult): void {
    if (!this.running) return;
    const stats = this.stats(frame.camera);
    stats.submitted++;
    if (!this.ring.includes(frame.camera)) this.ring.push(frame.camera);
    if (this.waiting.has(frame.camera)) stats.dropped++;
    const since = this.now();
    const before = this.arrivals.get(frame.camera);
    this.arrivals.set(frame.camera, { last: since, interval: before ? since - before.last : Number.POSITIVE_INFINITY });
    this.waiting.set(frame.camera, { frame, motion, since });
    this.fullness.set(frame.camera, this.fullnessOf(frame.camera) * (1 - FULLNESS_STEP));
    this.pump();
  }

  /** Frames waiting for their turn and frames being analyzed now (the stats' queue lengths). */
  get queue(): { waiting: number; inFlight: number } {
    return { waiting: this.waiting.size, inFlight: this.inFlight.size };
  }

  stats(camera: string): CameraSchedulerStats {
    let s = this.counts.get(camera);
    if (!s) {
      s = { submitted: 0, analyzed: 0, essential: 0, dropped: 0, failed: 0 };
      this.counts.set(camera, s);
    }
    return s;
  }

  private pump(): void {
    // the lane while the cameras' faces and poses keep their floor; under it (far behind) the share controller's
    if (this.opts.lightLane && this.opts.analyzeEssentials && this.meanFullness() >= MIN_FULL_SHARE) {
      this.pumpLanes();
      return;
    }
    while (this.running && this.inFlight.size - (this.lightCamera === null ? 0 : 1) < this.opts.concurrency) {
      const camera = this.nextCamera();
      if (camera === null) return;
      const job = this.waiting.get(camera)!;
      this.waiting.delete(camera);
      const late = this.now() - job.since > LATE * (this.arrivals.get(camera)?.interval ?? Number.POSITIVE_INFINITY);
      this.dispatch(camera, job, this.wantsFull(camera, late, this.waiting.size > 0));
    }
  }

  /**
   * With the light lane: a free slot always analyses in full, the frame of the ready camera whose
   * recent frames were least often full (`fullness`). The lane takes a frame by the essential
   * analyzers alone only while two or more wait (of the others, the camera served longest ago), so
   * one is left for the slot when it frees. No share to steer: the slots' speed sets how many
   * frames are full, the fullness who gets them.
   */
  private pumpLanes(): void {
    while (this.running) {
      const slotFree = this.inFlight.size - (this.lightCamera === null ? 0 : 1) < this.opts.concurrency;
      const ready = this.readyCameras();
      if (ready.length === 0) return;
      const leastFull = ready.reduce((a, b) => (this.fullnessOf(b) < this.fullnessOf(a) ? b : a));
      let camera: string;
      if (slotFree) camera = leastFull;
      else if (this.lightCamera === null && ready.length >= 2) {
        // of the others, the camera served longest ago
        camera = ready.filter((c) => c !== leastFull).reduce((a, b) => ((this.served.get(b) ?? -Infinity) < (this.served.get(a) ?? -Infinity) ? b : a));
        this.lightCamera = camera;
      } else return;
      this.cursor = this.ring.indexOf(camera);
      const job = this.waiting.get(camera)!;
      this.waiting.delete(camera);
      this.dispatch(camera, job, slotFree);
    }
  }

  private dispatch(camera: string, job: { frame: Frame; motion: MotionResult }, full: boolean): void {
    this.served.set(camera, this.now());
    // started on the next microtask, so it is in flight before it can finish
    this.inFlight.set(
      camera,
      Promise.resolve().then(() => this.run(camera, job.frame, job.motion, full)),
    );
  }

  /** Cameras with a frame waiting and none in flight, in turn from the one after the last served. */
  private readyCameras(): string[] {
    const ready: string[] = [];
    for (let i = 1; i <= this.ring.length; i++) {
      const camera = this.ring[(this.cursor + i) % this.ring.length];
      if (this.waiting.has(camera) && !this.inFlight.has(camera)) ready.push(camera);
    }
    return ready;
  }

  private meanFullness(): number {
    const active = this.activeFullness();
    return active.length === 0 ? 0 : active.reduce((a, b) => a + b, 0) / active.length;
  }

  /** The fullness of the cameras that sent a frame lately (a quiet camera's last value says nothing of the load now). */
  private activeFullness(except?: string): number[] {
    const now = this.now();
    const active: number[] = [];
    for (const [camera, f] of this.fullness) if (camera !== except && now - (this.arrivals.get(camera)?.last ?? Number.NEGATIVE_INFINITY) <= ACTIVE_MS) active.push(f);
    return active;
  }

  private fullnessOf(camera: string): number {
    return this.fullness.get(camera) ?? 0;
  }

  /** Whether a light frame that found something may be completed: not for a camera in debt, or (light lane) already full twice as often as the others on average. */
  private mayComplete(camera: string): boolean {
    if (!this.opts.lightLane) return (this.credit.get(camera) ?? 1) >= 0;
    const others = this.activeFullness(camera);
    if (others.length === 0) return true;
    return this.fullnessOf(camera) <= (2 * others.reduce((a, b) => a + b, 0)) / others.length;
  }

  /** The camera's credit once this frame's share is earned. */
  private creditAfter(camera: string): number {
    return Math.min(1, (this.credit.get(camera) ?? 1) + this.fullShare);
  }

  private shiftShare(direction: 1 | -1): void {
    this.fullShare = Math.min(1, Math.max(MIN_FULL_SHARE, this.fullShare + direction * SHARE_STEP));
  }

  /** The next camera after the last one served that has a frame waiting and none in flight. */
  private nextCamera(): string | null {
    for (let i = 1; i <= this.ring.length; i++) {
      const index = (this.cursor + i) % this.ring.length;
      const camera = this.ring[index];
      if (this.waiting.has(camera) && !this.inFlight.has(camera)) {
        this.cursor = index;
        return camera;
      }
    }
    return null;
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : performance.now();
  }

  /** Whether this camera's frame gets every analyzer (see the class comment); `late`: it waited late; `behind`: other frames wait. */
  private wantsFull(camera: string, late: boolean, behind: boolean): boolean {
    if (!this.opts.analyzeEssentials) return true;
    this.shiftShare(late ? -1 : 1);
    const credit = this.creditAfter(camera);
    const full = !behind || credit >= 1 - 1e-9; // five fifths may sum to a hair under one
    // a debt of one at most: a camera analysed in full while none waited pays part of it back later
    this.credit.set(camera, full ? Math.max(-1, credit - 1) : credit);
    return full;
  }

  private async run(camera: string, frame: Frame, motion: MotionResult, full: boolean): Promise<void> {
    const stats = this.stats(camera);
    try {
      const light = full || !this.opts.analyzeEssentials ? null : await this.opts.analyzeEssentials(frame, motion, this.mayComplete(camera));
      const detections = light ? light.detections : await this.opts.analyze(frame, motion);
      stats.analyzed++;
      if (light && !light.whole) stats.essential++;
      // completed (a weapon or watched object found on it): a full analysis, paid for as one
      if (light?.whole) this.credit.set(camera, Math.max(-1, (this.credit.get(camera) ?? 1) - 1));
      if (!light || light.whole) this.fullness.set(camera, this.fullnessOf(camera) + FULLNESS_STEP);
      this.opts.onAnalyzed({ camera, frame, detections });
    } catch (err) {
      // One bad frame costs that frame, never the camera's turn.
      stats.failed++;
      this.opts.logger.warn({ camera, err }, `analysis failed: ${(err as Error).message}`);
    } finally {
      this.inFlight.delete(camera);
      if (this.lightCamera === camera) this.lightCamera = null;
      this.pump();
    }
  }
}
