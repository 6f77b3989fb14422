import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cameraSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { CameraSource } from '../../src/sources/camera-source.js';
import type { CameraStatus, Frame } from '../../src/sources/frame.js';
import { frameColour, indexOfColour, makeColourClip, runFfmpeg } from '../helpers/clip-colours.js';
import { processesWith } from './process-watch.js';
import { waitUntil } from './wait-until.js';

const HAMILTON = '../shared/fixtures/video/short_hamilton_clip.mp4';
const COLOURS = 12;

let dir: string;
let colourClip: string;
const sources: CameraSource[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'argus-source-'));
  colourClip = join(dir, 'colours.mp4');
  await makeColourClip(colourClip, { width: 64, height: 48, fps: 10, count: COLOURS });
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

function source(
  url: string,
  detect: { width: number; height: number; fps: number },
  extra: Partial<{ onStatus: (s: CameraStatus) => void; stall_timeout: number; enabled: boolean }> = {},
): CameraSource {
  const camera = cameraSchema.parse({ url, detect, stall_timeout: extra.stall_timeout ?? 10, enabled: extra.enabled ?? true });
  const s = new CameraSource({ name: 'test', camera, ffmpegPath: 'ffmpeg', logger: silentLogger(), onStatus: extra.onStatus, backoff: { initialMs: 100, maxMs: 400 } });
  sources.push(s);
  return s;
}

async function takeFrames(s: CameraSource, n: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  while (frames.length < n) frames.push(await s.frames.take(AbortSignal.timeout(20_000)));
  return frames;
}

describe('CameraSource on a file', () => {
  it('cuts frames at exact boundaries: every frame is one whole colour, in order, none lost, across the loop', async () => {
    const s = source(colourClip, { width: 64, height: 48, fps: 10 });
    s.start();
    // 1.5 passes of the 12-frame clip, so the loop back to the first frame is crossed.
    const frames = await takeFrames(s, 18);
    const indices = frames.map((f) => {
      expect(f.data.length).toBe(64 * 48 * 3);
      const { mean, spread } = frameColour(f.data);
      expect(spread).toBeLessThan(16); // one colour: a frame cut across two would be two-toned
      return indexOfColour(mean, COLOURS);
    });
    expect(indices.slice(0, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(indices.slice(12)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(s.status()).toMatchObject({ connected: true, framesDropped: 0, lastError: null });
  });

  it.skipIf(!existsSync(HAMILTON))('decodes real H.264 at the detect size and rate, frame for frame as ffmpeg itself does (needs ../shared/fixtures)', async () => {
    const detect = { width: 320, height: 180, fps: 5 };
    const s = source(HAMILTON, detect);
    s.start();
    const frames = await takeFrames(s, 8);
    const reference = await runFfmpeg(['-i', HAMILTON, '-map', '0:v:0', '-vf', 'fps=5,scale=320:180', '-frames:v', '8', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
    const size = 320 * 180 * 3;
    expect(reference.length).toBe(8 * size);
    frames.forEach((f, i) => {
      expect([f.width, f.height, f.camera]).toEqual([320, 180, 'test']);
      expect(f.data.equals(reference.subarray(i * size, (i + 1) * size))).toBe(true);
    });
  });

  it('keeps only the newest frame for a slow consumer and counts the dropped ones', async () => {
    const s = source(colourClip, { width: 64, height: 48, fps: 10 });
    s.start();
    await s.frames.take(AbortSignal.timeout(20_000));
    await new Promise((r) => setTimeout(r, 1500)); // analysis "busy": about 15 frames arrive meanwhile
    const next = await s.frames.take();
    const status = s.status();
    expect(status.framesDropped).toBeGreaterThan(5);
    expect(next.seq).toBe(s.latest()!.seq); // what the consumer gets is the newest frame
    expect(status.framesReceived).toBe(next.seq);
    expect(status.fps).toBeGreaterThan(0);
  });

  it('stops its ffmpeg child and leaves no process or zombie behind', async () => {
    const s = source(colourClip, { width: 64, height: 48, fps: 10 });
    s.start();
    await s.frames.take(AbortSignal.timeout(20_000));
    expect(processesWith(colourClip).length).toBeGreaterThan(0);
    await s.stop();
    expect(processesWith(colourClip)).toEqual([]);
    expect(s.status().connected).toBe(false);
  });

  it('reports a missing file in words, keeps retrying, and never throws', async () => {
    const statuses: CameraStatus[] = [];
    const s = source(join(dir, 'missing.mp4'), { width: 64, height: 48, fps: 5 }, { onStatus: (st) => statuses.push(st) });
    s.start();
    await waitUntil(() => s.status().reconnects >= 2);
    expect(s.status()).toMatchObject({ connected: false, lastError: `file not found: ${join(dir, 'missing.mp4')}` });
    expect(statuses.some((st) => st.lastError?.startsWith('file not found'))).toBe(true);
  });

  it('keeps one camera running while another fails beside it', async () => {
    const good = source(colourClip, { width: 64, height: 48, fps: 10 });
    const bad = source(join(dir, 'gone.mp4'), { width: 64, height: 48, fps: 10 });
    good.start();
    bad.start();
    await waitUntil(() => bad.status().reconnects >= 3);
    const before = good.status().framesReceived;
    await waitUntil(() => good.status().framesReceived > before + 3);
    expect(good.status()).toMatchObject({ connected: true, lastError: null, reconnects: 0 });
  });

  it('starts again after a stop', async () => {
    const s = source(colourClip, { width: 64, height: 48, fps: 10 });
    s.start();
    const a = await s.frames.take(AbortSignal.timeout(20_000));
    await s.stop();
    s.start();
    const b = await s.frames.take(AbortSignal.timeout(20_000));
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(s.status().connected).toBe(true);
  });

  it('says so when the ffmpeg binary cannot be run', async () => {
    const camera = cameraSchema.parse({ url: colourClip, detect: { width: 64, height: 48, fps: 10 } });
    const s = new CameraSource({ name: 'x', camera, ffmpegPath: '/nowhere/ffmpeg', logger: silentLogger(), backoff: { initialMs: 50, maxMs: 100 } });
    sources.push(s);
    s.start();
    await waitUntil(() => s.status().reconnects >= 1);
    expect(s.status().lastError).toBe('could not start ffmpeg: /nowhere/ffmpeg is not an executable file');
  });

  it('does nothing when the camera is disabled', async () => {
    const s = source(colourClip, { width: 64, height: 48, fps: 10 }, { enabled: false });
    s.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(s.status()).toMatchObject({ enabled: false, connected: false, framesReceived: 0 });
  });
});
