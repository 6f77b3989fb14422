import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/commands/test-camera.js';
import { makeColourClip } from '../helpers/clip-colours.js';
import { freePort } from '../helpers/mqtt-broker.js';

let clip: string;
beforeAll(async () => {
  clip = join(mkdtempSync(join(tmpdir(), 'argus-testcam-')), 'clip.mp4');
  await makeColourClip(clip, { width: 80, height: 48, fps: 10, count: 3 });
});
afterEach(() => vi.restoreAllMocks());

function capture(): { out: () => string } {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  return { out: () => lines.join('\n') };
}

describe('argus test-camera', () => {
  it('prints resolution, codec and fps, and exits 0, for a working source', async () => {
    const c = capture();
    expect(await main([clip])).toBe(0);
    expect(c.out()).toMatch(/OK\n\s+resolution 80x48\n\s+codec\s+h264\n\s+fps\s+10/);
  });

  it('prints the reason and exits 1 for a camera it cannot reach, with the password hidden', async () => {
    const c = capture();
    const port = await freePort();
    expect(await main([`rtsp://admin:topsecret@127.0.0.1:${port}/live`, '--input-args', '-rtsp_transport tcp'])).toBe(1);
    expect(c.out()).toContain(`rtsp://admin:***@127.0.0.1:${port}/live: FAILED`);
    expect(c.out()).toContain('connection refused');
    expect(c.out()).not.toContain('topsecret');
  });

  it('exits 2 with usage when no URL is given', async () => {
    const c = capture();
    expect(await main([])).toBe(2);
    expect(c.out()).toContain('usage: argus test-camera <url>');
  });

  it('exits 2 saying the URL is empty for "" (a shell variable that was not set)', async () => {
    const c = capture();
    expect(await main(['  '])).toBe(2);
    expect(c.out()).toContain('the camera URL is empty');
  });
});
