import type { CameraStatus, Frame } from '../sources/frame.js';

/** What the web server may see of a camera: its status and its newest frame, nothing to change. */
export interface CameraView {
  status(): CameraStatus;
  latest(): Frame | undefined;
}
