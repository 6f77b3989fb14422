import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

/**
 * Which ffmpeg to run: the configured one, else the first on PATH (the system's build has the
 * most codecs and hardware support), else the static build shipped by `@ffmpeg-installer/ffmpeg`
 * (a devDependency: present after `npm install`, absent from the add-on image).
 */
export function findFfmpeg(configured?: string): string {
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw new Error(`ffmpeg.path "${configured}" is not an executable file: fix the path or remove the setting`);
  }
  const onPath = searchPath('ffmpeg');
  if (onPath) return onPath;
  const bundled = bundledFfmpeg();
  if (bundled) return bundled;
  throw new Error('ffmpeg was not found: install it (apt-get install ffmpeg), set ffmpeg.path, or run `npm install` (its devDependency @ffmpeg-installer/ffmpeg ships one)');
}

/**
 * Whether `path` (a path, or a bare name looked up on PATH) can be run. Checked before every
 * spawn: fluent-ffmpeg throws an uncatchable TypeError when the binary is missing.
 */
export function canRun(path: string): boolean {
  return path.includes('/') ? isExecutable(path) : searchPath(path) !== undefined;
}

function searchPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function bundledFfmpeg(): string | undefined {
  try {
    // The package is CommonJS and resolves the binary for this platform itself.
    const pkg = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: string };
    return pkg.path && isExecutable(pkg.path) ? pkg.path : undefined;
  } catch {
    return undefined; // not installed, or no build for this platform
  }
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
