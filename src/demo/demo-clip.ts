import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SECONDS_PER_PHOTO = 3;
const FPS = 10;

/** Photos of people that ship in an npm package (MIT, @vladmandic/face-api's demo folder). */
export function demoPhotos(): string[] {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@vladmandic/face-api/package.json'));
  const photos = [1, 2, 3, 4, 5, 6].map((i) => join(root, 'demo', `sample${i}.jpg`)).filter((p) => existsSync(p));
  if (photos.length === 0) throw new Error('demo photos not found: reinstall with `npm install` (@vladmandic/face-api ships them)');
  return photos;
}

/**
 * The demo camera's clip: each photo slowly zoomed and panned (so the motion gate fires), joined
 * into one looping 640×360 H.264 file. Built once into the data dir; written atomically.
 */
export async function ensureDemoClip(dataDir: string, ffmpegPath: string): Promise<string> {
  const out = join(dataDir, 'demo', 'demo.mp4');
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const photos = demoPhotos();
  const frames = SECONDS_PER_PHOTO * FPS;
  // One frame per photo: zoompan turns it into d frames.
  const inputs = photos.flatMap((p) => ['-i', p]);
  const chains = photos.map((_, i) => {
    // Alternate zooming in towards the centre and panning across, so every shot moves.
    const move = i % 2 === 0
      ? `z='min(zoom+0.006,1.3)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'`
      : `z=1.25:x='(iw-iw/zoom)*on/${frames}':y='ih/2-(ih/zoom/2)'`;
    return `[${i}]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,zoompan=${move}:d=${frames}:s=640x360:fps=${FPS},setsar=1[v${i}]`;
  });
  const graph = `${chains.join(';')};${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0,format=yuv420p[out]`;
  const tmp = `${out}.partial.mp4`;
  await run(ffmpegPath, ['-y', '-v', 'error', ...inputs, '-filter_complex', graph, '-map', '[out]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(FPS * 2), '-r', String(FPS), tmp], {
    maxBuffer: 1 << 20,
  });
  renameSync(tmp, out);
  return out;
}
