import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cameraSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { CameraSource } from '../../src/sources/camera-source.js';
import type { CameraStatus } from '../../src/sources/frame.js';
import { makePatternClip } from '../helpers/clip-colours.js';
import { freePort } from '../helpers/mqtt-broker.js';
import { RTSP_SERVER_BIN, startRtspServer, type RtspServer } from '../helpers/rtsp-server.js';
import { waitUntil } from './wait-until.js';

const HAMILTON = '../shared/fixtures/video/short_hamilton_clip.mp4';
const haveServer = (() => {
  try {
    execFileSync('which', [RTSP_SERVER_BIN], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!haveServer)(`CameraSource on a real RTSP server (needs Debian's ${RTSP_SERVER_BIN})`, () => {
  let server: RtspServer;
  const sources: CameraSource[] = [];

  beforeAll(async () => {
    // The real clip where the fixtures are present, else a generated one: both are H.264.
    let clip = HAMILTON;
    if (!existsSync(clip)) {
      clip = join(mkdtempSync(join(tmpdir(), 'argus-rtsp-')), 'pattern.mp4');
      await makePatternClip(clip, { width: 320, height: 240, fps: 10, seconds: 4 });
    }
    server = await startRtspServer(clip);
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await server?.kill();
  });

  function source(url: string, onStatus?: (s: CameraStatus) => void): CameraSource {
    const camera = cameraSchema.parse({ url, detect: { width: 160, height: 90, fps: 5 }, stall_timeout: 3 });
    const s = new CameraSource({ name: 'door', camera, ffmpegPath: 'ffmpeg', logger: silentLogger(), onStatus, backoff: { initialMs: 200, maxMs: 1000 } });
    sources.push(s);
    return s;
  }

  it('receives frames at the detect size, then reconnects after the RTSP server restarts, without a restart of its own', async () => {
    const statuses: CameraStatus[] = [];
    const s = source(server.url, (st) => statuses.push(st));
    s.start();
    const first = await s.frames.take(AbortSignal.timeout(20_000));
    expect([first.width, first.height, first.data.length]).toEqual([160, 90, 160 * 90 * 3]);
    expect(s.status().connected).toBe(true);

    await server.kill();
    await waitUntil(() => !s.status().connected);
    expect(s.status().lastError).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1500)); // a few refused reconnects while the server is down
    expect(s.status().lastError).toMatch(/connection refused at 127\.0\.0\.1:\d+/);

    await server.start();
    await waitUntil(() => s.status().connected, 30_000);
    const after = await s.frames.take(AbortSignal.timeout(20_000));
    expect(after.seq).toBeGreaterThan(first.seq);
    expect(s.status()).toMatchObject({ connected: true, lastError: null });
    expect(s.status().reconnects).toBeGreaterThanOrEqual(1);
    // The listener heard the whole story: connected, lost, connected again (from the first
    // connection on: on a loaded machine a first attempt may time out before it).
    const fromFirst = statuses.slice(statuses.findIndex((st) => st.connected));
    const connectedFlags = fromFirst.map((st) => st.connected).filter((c, i, a) => i === 0 || c !== a[i - 1]);
    expect(connectedFlags).toEqual([true, false, true]);
  });

  it('says "not found (404)" for a wrong stream path', async () => {
    const s = source(server.url.replace(/\/cam$/, '/nothing'));
    s.start();
    await waitUntil(() => s.status().lastError !== null);
    expect(s.status()).toMatchObject({ connected: false, lastError: 'not found (404): check the stream path' });
  });

  it('says "connection refused" for a port with nothing listening, and a failing status listener cannot crash it', async () => {
    const port = await freePort();
    let calls = 0;
    const s = source(`rtsp://admin:s3cret@127.0.0.1:${port}/cam`, () => {
      calls++;
      throw new Error('listener bug');
    });
    s.start();
    await waitUntil(() => s.status().reconnects >= 2);
    expect(s.status().lastError).toBe(`connection refused at 127.0.0.1:${port}: is the camera on and the port right?`);
    expect(calls).toBeGreaterThan(2);
  });
});
