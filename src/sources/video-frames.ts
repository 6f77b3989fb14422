import { spawn } from 'node:child_process';
import type { RgbImage } from '../vision/image.js';
import { findFfmpeg } from './ffmpeg-path.js';

/** File name endings read as videos (the rest as images) by the commands that take both. */
export const VIDEO = new Set(['.mp4', '.mkv', '.mov', '.avi', '.webm', '.m4v', '.ts', '.mpg', '.mpeg', '.flv']);

/**
 * ffmpeg's input options that read a file as one of those containers and nothing else. ffmpeg
 * guesses the format from the bytes, whatever the name: an uploaded "holiday.mp4" that is a DASH
 * or HLS playlist (or a concat list) would have it open other files on this machine by path
 * (`file:///media/…`), and their frames would come back as the upload's.
 */
export const VIDEO_INPUT = ['-format_whitelist', 'mov,matroska,avi,mpegts,mpeg,mpegvideo,flv'];

/**
 * Decodes one frame every `every` seconds (time_s counts from the first video frame) as PPM images on ffmpeg's stdout: each carries its own
 * width and height, so no probe is needed.
 */
export async function* sampleVideo(file: string, every: number, opts: { grid?: boolean } = {}): AsyncGenerator<RgbImage> {
  // select, not fps: fps=1/n repeats the first frame when the video starts after zero (as phone clips do).
  // `grid`: the first frame of each `every`-long slot, so frame i is within one frame of i × every
  // (gaps of `every` from the last pick drift: at 5 fps, every 0.5 s picks every 0.6 s).
  const select = opts.grid
    ? `select='isnan(prev_selected_t)+gt(floor(t/${every})\\,floor(prev_selected_t/${every}))'`
    : `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${every})'`;
  const args = ['-v', 'error', ...VIDEO_INPUT, '-i', file, '-an', '-vf', select, '-vsync', 'vfr', '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1'];
  const ff = spawn(findFfmpeg(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  ff.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve) => ff.on('close', (code) => resolve(code ?? 1)));
  let buf = Buffer.alloc(0);
  for await (const chunk of ff.stdout as AsyncIterable<Buffer>) {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString('latin1'));
      if (!header) break;
      const width = Number(header[1]);
      const height = Number(header[2]);
      const start = header[0].length;
      const end = start + width * height * 3;
      if (buf.length < end) break;
      yield { width, height, data: new Uint8Array(buf.subarray(start, end)) };
      buf = buf.subarray(end);
    }
  }
  const code = await exited;
  if (code !== 0) throw new Error(`ffmpeg could not decode it: ${stderr.trim().split('\n').pop() ?? `exit code ${code}`}`);
}
