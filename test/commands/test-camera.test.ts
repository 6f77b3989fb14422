import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('hides a password holding @ and / or a space, which no URL parser reads, wherever it is quoted', async () => {
    const c = capture();
    const port = await freePort();
    await main([`rtsp://admin:p@ss:w0rdTypo/X@127.0.0.1:${port}/cam`, '--timeout', '5']);
    await main([`rtsp://admin:pa ssWord@127.0.0.1:${port}/cam`, '--timeout', '5']);
    expect(c.out()).toContain(`rtsp://admin:***@127.0.0.1:${port}/cam: FAILED`);
    expect(c.out()).not.toMatch(/w0rd|ssWord/);
  });

  it('exits 2 with usage when no URL is given', async () => {
    const c = capture();
    expect(await main([])).toBe(2);
    expect(c.out()).toContain('usage: argus test-camera <url>');
  });

  it('says a URL that can never work as the config check does: no host, a mistyped scheme', async () => {
    const c = capture();
    expect(await main(['rtsp://'])).toBe(1);
    expect(await main(['rtps://cam/stream1'])).toBe(1);
    expect(c.out()).toContain('rtsp://<host>[:port]/<path>: this one has no host');
    expect(c.out()).toContain('"rtps" is no scheme Argus reads (did you mean "rtsp"?)');
    expect(c.out()).not.toContain('connection refused');
  });

  it('says a camera that answers with what is not video is that, not "no answer"', async () => {
    const c = capture();
    const garbage = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=frame' });
      const send = setInterval(() => res.write(Buffer.concat([Buffer.from('--frame\r\nContent-Type: image/jpeg\r\n\r\n'), randomBytes(4000), Buffer.from('\r\n')])), 50);
      res.on('close', () => clearInterval(send));
    });
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    const { port } = garbage.address() as AddressInfo;
    try {
      expect(await main([`http://127.0.0.1:${port}/video`, '--timeout', '4'])).toBe(1);
      expect(c.out()).not.toContain('no answer');
      expect(c.out()).toContain('not a video stream ffmpeg can read');
    } finally {
      garbage.closeAllConnections();
      await new Promise((r) => garbage.close(r));
    }
  }, 30_000);

  it('exits 2 saying the URL is empty for "" (a shell variable that was not set)', async () => {
    const c = capture();
    expect(await main(['  '])).toBe(2);
    expect(c.out()).toContain('the camera URL is empty');
  });
});
