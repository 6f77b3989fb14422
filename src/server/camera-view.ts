import type { CameraStatus, Frame } from '../sources/frame.js';

/** What the web server may see of a camera: its status and its newest frame, nothing to change. */
export interface CameraView {
  status(): CameraStatus;
  latest(): Frame | undefined;
}

/** A camera turned off in the config (`enabled: false`): listed with why, never connected, no picture. */
export function disabledCameraView(name: string): CameraView {
  const status: CameraStatus = {
    name,
    enabled: false,
    connected: false,
    fps: 0,
    framesReceived: 0,
    framesDropped: 0,
    reconnects: 0,
    lastError: 'turned off in the config (enabled: false)',
    lastFrameTime: null,
    width: 0,
    height: 0,
  };
  return { status: () => ({ ...status }), latest: () => undefined };
}
