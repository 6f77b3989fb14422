import { execFileSync, spawn } from 'node:child_process';

/**
 * Synthetic H.264 clips whose frames can be recognised after decoding: frame i is one solid
 * colour, different in every channel, so a frame cut at the wrong byte shows up at once.
 */
export function colourOf(i: number): [number, number, number] {
  // Well apart in each channel so H.264 rounding (a few levels) never makes two frames alike.
  return [(40 + i * 53) % 256, (200 + i * 97) % 256, (90 + i * 151) % 256];
}

/** Which colour index a decoded frame shows, or -1 when no colour is within `tolerance`. */
export function indexOfColour(rgb: readonly number[], count: number, tolerance = 12): number {
  for (let i = 0; i < count; i++) {
    const c = colourOf(i);
    if (c.every((v, k) => Math.abs(v - rgb[k]) <= tolerance)) return i;
  }
  return -1;
}

/** Mean colour of a packed RGB24 frame and the largest distance of any pixel from it. */
export function frameColour(data: Buffer): { mean: [number, number, number]; spread: number } {
  const sum = [0, 0, 0];
  const n = data.length / 3;
  for (let p = 0; p < data.length; p += 3) for (let k = 0; k < 3; k++) sum[k] += data[p + k];
  const mean = sum.map((s) => s / n) as [number, number, number];
  let spread = 0;
  for (let p = 0; p < data.length; p += 3) {
    for (let k = 0; k < 3; k++) spread = Math.max(spread, Math.abs(data[p + k] - mean[k]));
  }
  return { mean, spread };
}

/** Writes an H.264 MP4 of `count` solid-colour frames (colourOf(0…count-1)) at `fps`. */
export async function makeColourClip(path: string, o: { width: number; height: number; fps: number; count: number }): Promise<void> {
  const frame = Buffer.alloc(o.width * o.height * 3);
  const raw = Buffer.alloc(frame.length * o.count);
  for (let i = 0; i < o.count; i++) {
    const [r, g, b] = colourOf(i);
    for (let p = 0; p < frame.length; p += 3) {
      raw[i * frame.length + p] = r;
      raw[i * frame.length + p + 1] = g;
      raw[i * frame.length + p + 2] = b;
    }
  }
  await runFfmpeg(
    [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${o.width}x${o.height}`,
      '-r',
      String(o.fps),
      '-i',
      'pipe:0',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-g',
      String(o.fps),
      '-y',
      path,
    ],
    raw,
  );
}

/** Writes an H.264 MP4 of ffmpeg's moving test pattern, for streams that only need to be real video. */
export async function makePatternClip(path: string, o: { width: number; height: number; fps: number; seconds: number }): Promise<void> {
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}:duration=${o.seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(o.fps),
    '-y',
    path,
  ]);
}

/** 4 s of a white square crossing a grey 320×180 frame at 10 fps: motion all the way, nothing to detect. */
export function makeMotionClip(path: string): void {
  const args = ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=320x180:r=10:d=4', '-f', 'lavfi', '-i', 'color=c=white:s=40x40:r=10'];
  args.push('-filter_complex', "[0][1]overlay=x='mod(8*n,280)':y=70:shortest=1", '-c:v', 'libx264', '-pix_fmt', 'yuv420p', path);
  execFileSync('ffmpeg', args);
}

/** Runs Debian's ffmpeg to completion, rejecting with its stderr on failure. */
export function runFfmpeg(args: string[], stdin?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`ffmpeg ${args.join(' ')} failed: ${err}`))));
    child.stdin.on('error', () => {}); // ffmpeg may exit before reading all input
    child.stdin.end(stdin);
  });
}
