import type { Logger } from '../log.js';
import type { MotionResult } from '../motion/motion-detector.js';
import type { Frame } from '../sources/frame.js';
import type { AnalyzedFrame, Detection } from '../events/analyzed-frame.js';

export interface AnalysisSchedulerOptions {
  /** Runs the camera's analyzers on one frame. */
  analyze: (frame: Frame, motion: MotionResult) => Promise<Detection[]>;
  onAnalyzed: (result: AnalyzedFrame) => void;
  /** Frames analyzed at once, across cameras. */
  concurrency: number;
  logger: Logger;
}

export interface CameraSchedulerStats {
  submitted: number;
  analyzed: number;
  /** Frames replaced by a newer one from the same camera before their turn came. */
  dropped: number;
  failed: number;
}

/**
 * Between the motion gates and the models. Each camera holds at most one waiting frame (a newer
 * one replaces it: analyzing the past helps nobody), and cameras take turns round-robin, never
 * two frames of one camera at once, so a busy camera cannot starve a quiet one.
 */
export class AnalysisScheduler {
  private readonly waiting = new Map<string, { frame: Frame; motion: MotionResult }>();
  private readonly ring: string[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly counts = new Map<string, CameraSchedulerStats>();
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
    this.waiting.set(frame.camera, { frame, motion });
    this.pump();
  }

  /** Frames waiting for their turn and frames being analyzed now (the stats' queue lengths). */
  get queue(): { waiting: number; inFlight: number } {
    return { waiting: this.waiting.size, inFlight: this.inFlight.size };
  }

  stats(camera: string): CameraSchedulerStats {
    let s = this.counts.get(camera);
    if (!s) {
      s = { submitted: 0, analyzed: 0, dropped: 0, failed: 0 };
      this.counts.set(camera, s);
    }
    return s;
  }

  private pump(): void {
    while (this.running && this.inFlight.size < this.opts.concurrency) {
      const camera = this.nextCamera();
      if (camera === null) return;
      const job = this.waiting.get(camera)!;
      this.waiting.delete(camera);
      // started on the next microtask, so it is in flight before it can finish
      this.inFlight.set(
        camera,
        Promise.resolve().then(() => this.run(camera, job.frame, job.motion)),
      );
    }
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

  private async run(camera: string, frame: Frame, motion: MotionResult): Promise<void> {
    const stats = this.stats(camera);
    try {
      const detections = await this.opts.analyze(frame, motion);
      stats.analyzed++;
      this.opts.onAnalyzed({ camera, frame, detections });
    } catch (err) {
      // One bad frame costs that frame, never the camera's turn.
      stats.failed++;
      this.opts.logger.warn({ camera, err }, `analysis failed: ${(err as Error).message}`);
    } finally {
      this.inFlight.delete(camera);
      this.pump();
    }
  }
}
