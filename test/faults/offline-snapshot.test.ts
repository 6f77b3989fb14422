import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { WebServer } from '../../src/server/app.js';
import type { CameraView } from '../../src/server/camera-view.js';
import type { CameraStatus, Frame } from '../../src/sources/frame.js';

const TOKEN = 'test-token-0123456789';

/** Issue 17, row 8: a camera that had frames and then lost its stream kept answering 200 with the old one. */
describe('faults: a camera that went down after it had frames', () => {
  const frame: Frame = { camera: 'gate', width: 8, height: 8, data: Buffer.alloc(8 * 8 * 3, 99), time: Date.now() - 42_000, seq: 7 };
  let connected = true;
  const gate: CameraView = {
    status: (): CameraStatus => ({
      name: 'gate',
      enabled: true,
      connected,
      fps: 0,
      framesReceived: 7,
      framesDropped: 0,
      reconnects: 1,
      lastError: connected ? null : 'the stream ended (camera rebooting?)',
      lastFrameTime: frame.time,
      width: 8,
      height: 8,
    }),
    latest: () => frame,
  };
  const server = new WebServer({
    listeners: [{ port: 0, host: '127.0.0.1', access: 'token' }],
    token: TOKEN,
    cameras: new Map([['gate', gate]]),
    health: { version: '9.9.9', mqttConnected: () => true, cameraCount: () => 1 },
    logger: silentLogger(),
  });
  afterAll(() => server.stop());
  const snapshot = () => server.app.inject({ url: '/api/cameras/gate/snapshot.jpg', headers: { authorization: `Bearer ${TOKEN}` } });

  it('serves the frame with its time while connected, and 503 with the reason and its age once down', async () => {
    const live = await snapshot();
    expect(live.statusCode).toBe(200);
    expect(new Date(String(live.headers['last-modified'])).getTime()).toBe(Math.floor(frame.time / 1000) * 1000);
    connected = false;
    const down = await snapshot();
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('2');
    const body = down.json() as { error: string; code: string; last_frame_age_s: number };
    expect(body.code).toBe('no_picture');
    expect(body.error).toMatch(/the stream ended \(camera rebooting\?\); its last frame is 4\d s old/);
    expect(body.last_frame_age_s).toBeGreaterThanOrEqual(42);
  });
});
