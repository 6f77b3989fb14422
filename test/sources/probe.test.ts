import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVideoLine, probeCamera } from '../../src/sources/probe.js';
import { makeColourClip, runFfmpeg } from '../helpers/clip-colours.js';
import { freePort } from '../helpers/mqtt-broker.js';
import { startMjpegServer, type MjpegServer } from './mjpeg-server.js';

const ffmpegPath = 'ffmpeg';
let dir: string;
let cam: MjpegServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'argus-probe-'));
  await makeColourClip(join(dir, 'clip.mp4'), { width: 96, height: 64, fps: 10, count: 5 });
  await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', '-y', join(dir, 'audio.m4a')]);
  writeFileSync(join(dir, 'broken.mp4'), randomBytes(20_000));
  cam = await startMjpegServer({ width: 64, height: 48, fps: 10, colours: 2 });
});
afterAll(() => cam.close());

describe('probeCamera', () => {
  it('reports resolution, codec and fps of an H.264 file', async () => {
    expect(await probeCamera(join(dir, 'clip.mp4'), { ffmpegPath })).toEqual({ ok: true, width: 96, height: 64, codec: 'h264', fps: 10 });
  });

  it('reports an HTTP MJPEG camera', async () => {
    expect(await probeCamera(`${cam.base}/video`, { ffmpegPath })).toMatchObject({ ok: true, width: 64, height: 48, codec: 'mjpeg' });
  });

  it('says why it could not connect, in words', async () => {
    const port = await freePort();
    expect(await probeCamera(`rtsp://127.0.0.1:${port}/cam`, { ffmpegPath })).toEqual({
      ok: false,
      reason: `connection refused at 127.0.0.1:${port}: is the camera on and the port right?`,
    });
    expect(await probeCamera(`${cam.base}/missing`, { ffmpegPath })).toEqual({ ok: false, reason: 'not found (404): check the stream path' });
    expect(await probeCamera(`${cam.base.replace('//', '//user:nope@')}/secure/video`, { ffmpegPath })).toEqual({ ok: false, reason: 'wrong user name or password' });
    expect(await probeCamera(join(dir, 'audio.m4a'), { ffmpegPath })).toEqual({ ok: false, reason: 'no video stream: the source sends no video' });
    expect(await probeCamera(join(dir, 'broken.mp4'), { ffmpegPath })).toMatchObject({ ok: false, reason: expect.stringMatching(/not a video stream ffmpeg can read/) });
  });

  it('says so when ffmpeg cannot be run', async () => {
    expect(await probeCamera(join(dir, 'clip.mp4'), { ffmpegPath: '/nowhere/ffmpeg' })).toEqual({
      ok: false,
      reason: 'could not start ffmpeg: /nowhere/ffmpeg is not an executable file',
    });
  });

  describe('against a server that never answers', () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createServer((s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    });
    afterAll(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => silent.close(() => r()));
    });

    it('gives up after its timeout', async () => {
      const port = (silent.address() as { port: number }).port;
      expect(await probeCamera(`rtsp://127.0.0.1:${port}/cam`, { ffmpegPath, timeoutMs: 1000 })).toEqual({ ok: false, reason: `no answer within 1 s from 127.0.0.1:${port}` });
    });
  });
});

describe('parseVideoLine', () => {
  it('reads the input stream, not the output one, and falls back to tbr when fps is absent', () => {
    const lines = [
      "Input #0, rtsp, from 'rtsp://cam/live':",
      '  Stream #0:0: Video: hevc (Main), yuvj420p(pc, bt709), 2560x1440, 20 tbr, 90k tbn',
      "Output #0, null, to 'pipe:':",
      '  Stream #0:0: Video: wrapped_avframe, yuvj420p, 2560x1440, q=2-31, 200 kb/s, 90k fps',
    ];
    expect(parseVideoLine(lines)).toEqual({ width: 2560, height: 1440, codec: 'hevc', fps: 20 });
  });

  it("says no rate for MJPEG, whose tbr is ffmpeg's default of 25, not the camera's", () => {
    const lines = ["Input #0, mpjpeg, from 'http://cam/video':", '  Stream #0:0: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 640x360, 25 tbr, 25 tbn'];
    expect(parseVideoLine(lines)).toEqual({ width: 640, height: 360, codec: 'mjpeg', fps: 0 });
  });
});
