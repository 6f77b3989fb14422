import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cameraSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/log.js';
import { CameraSource } from '../../src/sources/camera-source.js';
import type { CameraStatus } from '../../src/sources/frame.js';
import { frameColour, indexOfColour } from '../helpers/clip-colours.js';
import { startMjpegServer, type MjpegServer } from './mjpeg-server.js';
import { waitUntil } from './wait-until.js';

describe('CameraSource on an HTTP MJPEG camera', () => {
  let cam: MjpegServer;
  let log: string[];
  const sources: CameraSource[] = [];

  beforeAll(async () => {
    cam = await startMjpegServer({ width: 64, height: 48, fps: 10, colours: 4 });
  });
  afterAll(() => cam.close());
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    cam.paused = false;
  });

  function source(url: string, o: { stall_timeout?: number; onStatus?: (s: CameraStatus) => void } = {}): CameraSource {
    log = [];
    const sink = new Writable({
      write: (chunk, _enc, done) => {
        log.push(String(chunk));
        done();
      },
    });
    const camera = cameraSchema.parse({ url, detect: { width: 48, height: 36, fps: 5 }, stall_timeout: o.stall_timeout ?? 10 });
    const s = new CameraSource({ name: 'porch', camera, ffmpegPath: 'ffmpeg', logger: createLogger('trace', sink), onStatus: o.onStatus, backoff: { initialMs: 100, maxMs: 400 } });
    sources.push(s);
    return s;
  }

  it('receives its JPEGs as RGB frames scaled to the detect size', async () => {
    const s = source(`${cam.base}/video`);
    s.start();
    for (let i = 0; i < 4; i++) {
      const f = await s.frames.take(AbortSignal.timeout(20_000));
      expect(f.data.length).toBe(48 * 36 * 3);
      const { mean, spread } = frameColour(f.data);
      expect(spread).toBeLessThan(16);
      expect(indexOfColour(mean, 4)).toBeGreaterThanOrEqual(0);
    }
    expect(s.status().connected).toBe(true);
  });

  it('says "not found (404)" for a wrong path, at warning level once, not at every retry', async () => {
    const s = source(`${cam.base}/nope`);
    s.start();
    await waitUntil(() => s.status().lastError !== null);
    expect(s.status()).toMatchObject({ connected: false, lastError: 'not found (404): check the stream path' });
    await waitUntil(() => s.status().reconnects >= 3);
    const failures = log.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.msg.startsWith('stream failed: not found (404)'));
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.filter((l) => l.level === 40)).toHaveLength(1);
  });

  it('says "wrong user name or password" and never shows the password, in status or logs', async () => {
    const statuses: CameraStatus[] = [];
    const s = source(`${cam.base.replace('//', '//user:Hunter2secret@')}/secure/video`, { onStatus: (st) => statuses.push(st) });
    s.start();
    await waitUntil(() => s.status().reconnects >= 1);
    expect(s.status().lastError).toBe('wrong user name or password');
    const everything = JSON.stringify(statuses) + log.join('');
    expect(log.join('')).toContain('user:***@'); // the URL was logged (ffmpeg's command line), redacted
    expect(everything).not.toContain('Hunter2secret');
  });

  it('accepts the right password', async () => {
    const s = source(`${cam.base.replace('//', '//user:pass@')}/secure/video`);
    s.start();
    await s.frames.take(AbortSignal.timeout(20_000));
    expect(s.status().connected).toBe(true);
  });

  it('restarts a stream that stalls, and reconnects once frames flow again', async () => {
    // 2 s, not 1: on a loaded 2-core machine ffmpeg can take over a second to its first frame,
    // and the source would then restart it before the test ever saw one.
    const s = source(`${cam.base}/video`, { stall_timeout: 2 });
    s.start();
    await s.frames.take(AbortSignal.timeout(30_000));
    cam.paused = true;
    await waitUntil(() => !s.status().connected);
    expect(s.status().lastError).toMatch(/^no frame (for|within) 2 s/);
    cam.paused = false;
    await waitUntil(() => s.status().connected);
    expect(s.status().reconnects).toBeGreaterThanOrEqual(1);
  });
});

describe('CameraSource on a server that accepts and never answers', () => {
  let silent: Server;
  let port: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // holds connections open, says nothing
    silent = createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const sock of sockets) sock.destroy();
    return new Promise<void>((r) => silent.close(() => r()));
  });

  it('gives up after stall_timeout with a sentence, and keeps trying', async () => {
    const camera = cameraSchema.parse({ url: `rtsp://127.0.0.1:${port}/cam`, detect: { width: 48, height: 36, fps: 5 }, stall_timeout: 1 });
    const s = new CameraSource({ name: 'attic', camera, ffmpegPath: 'ffmpeg', logger: createLogger('silent'), backoff: { initialMs: 100, maxMs: 200 } });
    s.start();
    try {
      await waitUntil(() => s.status().reconnects >= 1);
      expect(s.status().lastError).toBe('no frame within 2 s of connecting: the camera did not answer or sent no video');
    } finally {
      await s.stop();
    }
  });
});

describe('CameraSource on an MJPEG camera that goes away mid-frame', () => {
  it('says the stream ended, not that the URL is no video stream (which it said first, then "connection refused")', async () => {
    const jpeg = await (await import('sharp'))
      .default({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 0, b: 0 } } })
      .jpeg()
      .toBuffer();
    const sockets = new Set<Socket>();
    const server = createServer((sock) => {
      sockets.add(sock);
      sock.once('data', () => {
        sock.write('HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\n\r\n');
        let sent = 0;
        const timer = setInterval(() => {
          if (sock.destroyed) return clearInterval(timer);
          const part = Buffer.concat([Buffer.from(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`), jpeg, Buffer.from('\r\n')]);
          // ten frames, then half of one and the connection gone: a camera unplugged
          if (++sent > 10) {
            clearInterval(timer);
            sock.write(part.subarray(0, part.length / 2));
            sock.destroy();
            server.close();
            return;
          }
          sock.write(part);
        }, 100);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const errors: string[] = [];
    const camera = cameraSchema.parse({ url: `http://127.0.0.1:${port}/video`, detect: { width: 48, height: 36, fps: 5 }, stall_timeout: 10 });
    const s = new CameraSource({
      name: 'porch',
      camera,
      ffmpegPath: 'ffmpeg',
      logger: createLogger('error', new Writable({ write: (_c, _e, done) => done() })),
      onStatus: (st) => st.lastError && errors.at(-1) !== st.lastError && errors.push(st.lastError),
      backoff: { initialMs: 100, maxMs: 400 },
    });
    try {
      s.start();
      await s.frames.take(AbortSignal.timeout(20_000));
      await waitUntil(() => errors.length >= 2, 20_000);
      expect(errors[0]).not.toMatch(/not a video stream/);
      expect(errors[0]).toMatch(/stream ended|connection|closed/);
    } finally {
      await s.stop();
      for (const sock of sockets) sock.destroy();
    }
  });
});
