import type { MotionConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Frame } from '../sources/frame.js';
import type { FrameSlot } from '../sources/frame-slot.js';
import { MotionDetector, type MotionResult } from './motion-detector.js';

export interface MotionGateOptions {
  camera: string;
  frames: FrameSlot;
  config: MotionConfig;
  logger: Logger;
  /**
   * A frame worth analyzing: one with motion, or (`motion.motion` false) a still one looked at
   * while `following()` says objects are followed on the camera.
   */
  onMotion?: (frame: Frame, motion: MotionResult) => void;
  /** The camera's motion state flipped (on at the first moving frame, off after `offAfterMs` still). */
  onMotionState?: (moving: boolean) => void;
  offAfterMs?: number;
  /**
   * Whether objects are followed on the camera (events open): then a still frame is passed on
   * every `config.still_interval` seconds, so someone who sits still stays seen. The background
   * takes in a still person within seconds, after which no frame of them moves.
   */
  following?: () => boolean;
}

/**
 * Per camera: takes the newest frame from its source, runs the cheap motion detector and
 * passes on only the frames that moved. Frames that arrive while it is busy are dropped by the slot.
 */
export class MotionGate {
  private detector?: MotionDetector;
  private abort?: AbortController;
  private moving = false;
  private lastMotionAt = 0;
  /** When a frame was last passed on, moving or still. */
  private lastPassedAt = Number.NEGATIVE_INFINITY;
  private done?: Promise<void>;
  analyzed = 0;
  passed = 0;

  constructor(private readonly opts: MotionGateOptions) {}

  start(): void {
    this.abort = new AbortController();
    this.done = this.loop(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.done;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const offAfter = this.opts.offAfterMs ?? 3000;
    while (!signal.aborted) {
      let frame: Frame;
      try {
        frame = await this.opts.frames.take(signal);
      } catch {
        return; // aborted
      }
      try {
        if (!this.detector || this.detector.width !== frame.width || this.detector.height !== frame.height) {
          this.detector = new MotionDetector(frame.width, frame.height, this.opts.config);
        }
        const result = this.detector.detect(frame.data);
        this.analyzed++;
        if (result.motion) {
          this.passed++;
          this.lastMotionAt = frame.time;
          this.lastPassedAt = frame.time;
          this.setMoving(true);
          this.opts.onMotion?.(frame, result);
        } else {
          if (this.moving && frame.time - this.lastMotionAt > offAfter) this.setMoving(false);
          if (this.stillLookDue(frame.time)) {
            this.passed++;
            this.lastPassedAt = frame.time;
            // no regions: the objects are wherever they stood, so the whole frame is looked at
            this.opts.onMotion?.(frame, { ...result, boxes: [] });
          }
        }
      } catch (err) {
        // A bad frame or a failing consumer costs one frame, never the camera's loop.
        this.opts.logger.warn({ camera: this.opts.camera }, `motion: ${(err as Error).message}`);
      }
      // Yield so a burst of ready frames cannot starve the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private stillLookDue(time: number): boolean {
    const every = this.opts.config.still_interval * 1000;
    return every > 0 && time - this.lastPassedAt >= every && (this.opts.following?.() ?? false);
  }

  private setMoving(moving: boolean): void {
    if (moving === this.moving) return;
    this.moving = moving;
    this.opts.onMotionState?.(moving);
  }
}
