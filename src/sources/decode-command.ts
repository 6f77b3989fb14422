import ffmpeg from 'fluent-ffmpeg';
import type { CameraConfig } from '../config/schema.js';
import type { CameraUrl } from './camera-url.js';

/**
 * The ffmpeg command that decodes one camera into packed RGB24 frames at the detect size and
 * rate. Scaling and rate conversion happen inside ffmpeg, so JS only ever sees final frames.
 */
export function buildDecodeCommand(url: CameraUrl, camera: CameraConfig, ffmpegPath: string): ffmpeg.FfmpegCommand {
  const { width, height, fps } = camera.detect;
  return ffmpeg(url.input)
    .setFfmpegPath(ffmpegPath)
    .inputOptions([...globalArgs(), ...camera.hwaccel_args, ...inputArgs(url, camera.input_args)])
    .outputOptions(['-map', '0:v:0', '-an', '-sn', '-dn', '-vf', `fps=${fps},scale=${width}:${height}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo']);
}

/** Options that go before the input whatever the camera: no prompts, errors and warnings only. */
export function globalArgs(): string[] {
  return ['-nostdin', '-hide_banner', '-loglevel', 'warning'];
}

/**
 * A file plays at its own speed and loops, so a clip behaves like a live camera. HTTP streams
 * (MJPEG above all) carry no real timestamps, ffmpeg assumes 25 fps, and the fps filter would
 * then keep the wrong frames: arrival time is the truth there. RTSP keeps ffmpeg's own transport
 * choice (UDP, falling back to TCP) unless input_args say otherwise: forcing TCP breaks servers
 * that only speak UDP.
 */
export function inputArgs(url: CameraUrl, configured: readonly string[]): string[] {
  if (url.kind === 'file') return ['-re', '-stream_loop', '-1', ...configured];
  if (url.kind === 'http' && !configured.includes('-use_wallclock_as_timestamps')) {
    return ['-use_wallclock_as_timestamps', '1', ...configured];
  }
  return [...configured];
}
