import { get } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { WebServer } from '../../src/server/app.js';
import type { CameraView } from '../../src/server/camera-view.js';
import type { CameraStatus, Frame } from '../../src/sources/frame.js';
import { testServer } from '../helpers/web-server.js';

const TOKEN = 'test-token-0123456789';
const W = 64;
const H = 48;

/** A camera whose frames a test sets by hand: the server only reads status() and latest(). */
function camera(name: string): CameraView & { frame?: Frame } {
  const view = {
    frame: undefined as Frame | undefined,
    status: (): CameraStatus => ({
      name,
      enabled: true,
      connected: !!view.frame,
      fps: 5,
      framesReceived: view.frame ? 1 : 0,
      framesDropped: 0,
      reconnects: 0,
      lastError: view.frame ? null : 'connection refused at 127.0.0.1:554',
      lastFrameTime: null,
      width: W,
      height: H,
    }),
    latest: () => view.frame,
  };
  return view;
}

function frameOf(name: string, seq: number, rgb: [number, number, number]): Frame {
  const data = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) data.set(rgb, i * 3);
  return { camera: name, width: W, height: H, data, time: Date.now(), seq };
}

describe('WebServer', () => {
  const door = camera('door');
  const yard = camera('yard');
  const server = new WebServer({
    listeners: [{ port: 0, host: '127.0.0.1', access: 'token' }],
    token: TOKEN,
    cameras: new Map<string, CameraView>([
      ['door', door],
      ['yard', yard],
    ]),
    health: { version: '9.9.9', mqttConnected: () => true, cameraCount: () => 2 },
    logger: silentLogger(),
  });
  let port = 0;
  const auth = { authorization: `Bearer ${TOKEN}` };
  beforeAll(async () => {
    door.frame = frameOf('door', 1, [200, 30, 30]);
    [port] = await server.start();
  });
  afterAll(() => server.stop());

  it('answers health without a token', async () => {
    const res = await server.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', version: '9.9.9', mqtt: 'connected', cameras: 2 });
  });

  it('refuses everything else without the token', async () => {
    for (const url of ['/', '/api/cameras', '/api/cameras/door/snapshot.jpg', '/api/cameras/door/stream.mjpeg']) {
      const res = await server.app.inject({ url });
      expect(res.statusCode, url).toBe(401);
    }
    expect((await server.app.inject({ url: '/api/cameras', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
  });

  it("gives the Supervisor's address no pass on a token port: outside the add-on anyone on a Docker network or LAN may hold it", async () => {
    const res = await server.app.inject({ url: '/api/cameras', remoteAddress: '172.30.32.2' });
    expect(res.statusCode).toBe(401);
  });

  it('accepts ?token= once and then a cookie', async () => {
    const first = await server.app.inject({ url: `/api/cameras?token=${TOKEN}` });
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers['set-cookie']).split(';')[0];
    expect(cookie).toBe(`argus_token=${TOKEN}`);
    expect(String(first.headers['set-cookie'])).toContain('HttpOnly');
    expect((await server.app.inject({ url: '/api/cameras', headers: { cookie } })).statusCode).toBe(200);
  });

  it('lists camera status', async () => {
    const res = await server.app.inject({ url: '/api/cameras', headers: auth });
    const list = res.json() as CameraStatus[];
    expect(list.map((c) => [c.name, c.connected])).toEqual([
      ['door', true],
      ['yard', false],
    ]);
  });

  it('serves the newest frame as a JPEG of the frame size', async () => {
    const res = await server.app.inject({ url: '/api/cameras/door/snapshot.jpg', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    const { data, info } = await sharp(res.rawPayload).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([W, H]);
    expect(data[0]).toBeGreaterThan(150); // red survives the JPEG round trip
    expect(data[1]).toBeLessThan(80);
  });

  it('says why a camera has no picture, and 404s an unknown camera', async () => {
    const none = await server.app.inject({ url: '/api/cameras/yard/snapshot.jpg', headers: auth });
    expect(none.statusCode).toBe(503);
    expect(none.json().error).toContain('connection refused');
    expect((await server.app.inject({ url: '/api/cameras/nope/snapshot.jpg', headers: auth })).statusCode).toBe(404);
  });

  it('streams MJPEG parts as frames change', async () => {
    const parts = await new Promise<Buffer[]>((resolve, reject) => {
      const req = get({ port, host: '127.0.0.1', path: '/api/cameras/door/stream.mjpeg', headers: auth }, (res) => {
        expect(res.headers['content-type']).toContain('multipart/x-mixed-replace; boundary=');
        const chunks: Buffer[] = [];
        let seq = 1;
        const timer = setInterval(() => (door.frame = frameOf('door', ++seq, [30, 200, 30])), 250);
        res.on('data', (c: Buffer) => chunks.push(c));
        setTimeout(() => {
          clearInterval(timer);
          req.destroy();
          resolve(chunks);
        }, 1500);
      });
      req.on('error', (e) => (String(e).includes('socket hang up') ? undefined : reject(e)));
    });
    const body = Buffer.concat(parts).toString('latin1');
    const jpegs = body.split('--argusframe').filter((p) => p.includes('Content-Type: image/jpeg'));
    expect(jpegs.length).toBeGreaterThanOrEqual(3);
    expect(jpegs.length).toBeLessThanOrEqual(8); // bounded fps: never more than 5 a second
  });
});

describe('WebServer in the add-on', () => {
  const server = testServer({
    token: TOKEN,
    listeners: [
      { port: 0, host: '127.0.0.1', access: 'ingress' },
      { port: 0, host: '127.0.0.1', access: 'token' },
    ],
  });
  afterAll(() => server.stop());

  it('answers only the ingress proxy on the ingress port, even with the token', async () => {
    const [ingress] = server.apps;
    expect((await ingress.inject({ url: '/api/cameras', remoteAddress: '172.30.32.2' })).statusCode).toBe(200);
    const outsider = await ingress.inject({ url: '/api/cameras', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(outsider.statusCode).toBe(403);
    expect(outsider.body).toContain('only serves Home Assistant ingress');
  });

  it('serves a page whose links are relative and follow X-Ingress-Path', async () => {
    const [ingress] = server.apps;
    const res = await ingress.inject({ url: '/', remoteAddress: '172.30.32.2', headers: { 'x-ingress-path': '/api/hassio_ingress/abc123' } });
    expect(res.body).toContain('<base href="/api/hassio_ingress/abc123/">');
    expect(res.body).toContain('src="ui/app.js"');
    expect(res.body.replace(/<base [^>]*>/, '')).not.toMatch(/(src|href)="\//);
    const evil = await ingress.inject({ url: '/', remoteAddress: '172.30.32.2', headers: { 'x-ingress-path': '"><script>alert(1)</script>' } });
    expect(evil.body).not.toContain('<script>alert(1)');
    expect(evil.body).toContain('<base href="./">');
  });

  it('serves the direct port to token holders only, the Supervisor too', async () => {
    const direct = server.apps[1];
    expect((await direct.inject({ url: '/api/cameras' })).statusCode).toBe(401);
    expect((await direct.inject({ url: '/api/cameras', remoteAddress: '172.30.32.2' })).statusCode).toBe(401);
    expect((await direct.inject({ url: '/api/cameras', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
  });

  it('listens on both ports', async () => {
    const ports = await server.start();
    expect(ports).toHaveLength(2);
    const res = await fetch(`http://127.0.0.1:${ports[0]}/api/cameras`);
    expect(res.status).toBe(403); // we are not 172.30.32.2
  });
});

describe('the UI files', () => {
  it('serves the script and styles the page loads, behind the token guard', async () => {
    const server = testServer({ token: TOKEN });
    const js = await server.app.inject({ url: '/ui/app.js', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect((await server.app.inject({ url: '/ui/style.css', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/ui/app.js' })).statusCode).toBe(401);
    expect((await server.app.inject({ url: '/ui/../../package.json', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(404);
    await server.stop();
  });
});

describe('a port that is taken', () => {
  it('stops start-up with a sentence that says what to change', async () => {
    const first = testServer({ token: TOKEN });
    const [port] = await first.start();
    const second = testServer({ token: TOKEN, listeners: [{ port, host: '127.0.0.1', access: 'token' }] });
    await expect(second.start()).rejects.toThrow(`port ${port} is already in use (another Argus?): set server.port or ARGUS_PORT to a free one`);
    await second.stop();
    await first.stop();
  });
});
