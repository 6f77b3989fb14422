import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SECONDS_PER_PHOTO = 3;
const FPS = 10;

const PHOTO_NAMES = [1, 2, 3, 4, 5, 6].map((i) => `sample${i}.jpg`);

/**
 * Photos of people (MIT, @vladmandic/face-api's demo folder): from that package where it is
 * installed (a devDependency, so `npm install`), else from `demo/` beside `dist/`, where the
 * add-on image copies them.
 */
export function demoPhotos(): string[] {
  const dirs = [join(dirname(fileURLToPath(import.meta.url)), '../../demo')];
  try {
    dirs.unshift(join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo'));
  } catch {
    // not installed (a production install): the copied photos, if any
  }
  for (const dir of dirs) {
    const photos = PHOTO_NAMES.map((n) => join(dir, n)).filter((p) => existsSync(p));
    if (photos.length > 0) return photos;
  }
  throw new Error("the demo camera's photos were not found: configure a camera, or install with `npm install` (its devDependency @vladmandic/face-api ships them)");
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
    const move = i % 2 === 0 ? `z='min(zoom+0.006,1.3)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'` : `z=1.25:x='(iw-iw/zoom)*on/${frames}':y='ih/2-(ih/zoom/2)'`;
    return `[${i}]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,zoompan=${move}:d=${frames}:s=640x360:fps=${FPS},setsar=1[v${i}]`;
  });
  const graph = `${chains.join(';')};${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0,format=yuv420p[out]`;
  const tmp = `${out}.partial.mp4`;
  await run(
    ffmpegPath,
    ['-y', '-v', 'error', ...inputs, '-filter_complex', graph, '-map', '[out]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(FPS * 2), '-r', String(FPS), tmp],
    {
      maxBuffer: 1 << 20,
    },
  );
  renameSync(tmp, out);
  return out;
}
