/** Why a motion frame was not analyzed (docs/api.md, `GET /api/stats`). */
export const SKIP_REASONS = ['busy', 'schedule', 'paused', 'failed', 'no_models'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface Latency {
  p50: number | null;
  p95: number | null;
}

export interface CameraStats {
  /** Frames per second decoded from the stream (the camera source's own meter). */
  camera_fps: number;
  /** Over the window: frames with motion, frames analyzed, frames skipped (all reasons and each). */
  motion_fps: number;
  /** Analysed in full or, while Argus was behind, by the essential analyzers only (weapons, watched objects)… */
  analyzed_fps: number;
  /** …of which by the essential analyzers only: the others (persons, faces, poses) saw `analyzed_fps − essential_fps`. */
  essential_fps: number;
  skipped_fps: number;
  skipped_fps_by_reason: Record<SkipReason, number>;
  detections_fps: number;
  /** ≥ 10 % of its motion frames skipped `busy` or seen by the essential analyzers only over the window, and ≥ 5 frames (overload.ts). */
  overloaded: boolean;
  /** Since start. `motion = analyzed + skipped + pending` always holds. */
  totals: {
    motion: number;
    analyzed: number;
    /** Of `analyzed`, seen by the essential analyzers only. */
    essential: number;
    skipped: number;
    skipped_by_reason: Record<SkipReason, number>;
    /** Waiting at the scheduler or being analyzed now. */
    pending: number;
    /** Per event kind of the analyzer list. */
    detections: Record<string, number>;
  };
}

export interface StatsReport {
  /** When this was taken (ms since the epoch) and the seconds the rates are measured over. */
  time: number;
  window_s: number;
  uptime_s: number;
  cameras: Record<string, CameraStats>;
  /** Per model: runs since start and the inference time of the last runs (in the worker, no queueing). */
  models: Record<string, { runs: number; inference_ms: Latency }>;
  /** All models' runs together: the bridge's HA sensor. */
  inference_ms: Latency;
  queue: { waiting: number; in_flight: number };
  /** From a frame's capture to the event message it raised reaching the bus (after its snapshot is saved) and to that message acknowledged by the broker. */
  latency_ms: { frame_to_event: Latency; frame_to_mqtt: Latency };
  /** CPU over the window, % of one core (200 = two cores busy); resident memory. */
  process: { cpu_percent: number; rss_mb: number };
}
