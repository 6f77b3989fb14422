/** One decoded video frame: packed RGB24, row-major, exactly width × height × 3 bytes. */
export interface Frame {
  camera: string;
  width: number;
  height: number;
  data: Buffer;
  /** Wall-clock time the frame was cut from the stream (ms since epoch). */
  time: number;
  /** Increasing per camera source; gaps mean dropped frames. */
  seq: number;
}

/** What a camera source reports about itself (the API, the UI and MQTT show this). */
export interface CameraStatus {
  name: string;
  enabled: boolean;
  connected: boolean;
  /** Frames per second measured over the last few seconds. */
  fps: number;
  framesReceived: number;
  framesDropped: number;
  reconnects: number;
  /** A sentence a user can act on, passwords redacted; null while healthy. */
  lastError: string | null;
  lastFrameTime: number | null;
  width: number;
  height: number;
}
