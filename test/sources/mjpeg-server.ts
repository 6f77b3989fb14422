import { createServer, type Server, type ServerResponse } from 'node:http';
import sharp from 'sharp';
import { colourOf } from '../helpers/clip-colours.js';

/**
 * A tiny HTTP MJPEG camera, like the cheap IP cameras and ESP32-CAMs that serve
 * multipart/x-mixed-replace: `/video` streams solid-colour JPEGs at `fps`, `/secure/video` wants
 * Basic auth (user / pass), anything else is a 404.
 */
export interface MjpegServer {
  base: string;
  /** While paused, connections stay open but no frame is sent: a stalled camera. */
  paused: boolean;
  close(): Promise<void>;
}

export async function startMjpegServer(o: { width: number; height: number; fps: number; colours: number }): Promise<MjpegServer> {
  const jpegs = await Promise.all(
    Array.from({ length: o.colours }, (_, i) => {
      const [r, g, b] = colourOf(i);
      return sharp({ create: { width: o.width, height: o.height, channels: 3, background: { r, g, b } } })
        .jpeg({ quality: 95 })
        .toBuffer();
    }),
  );
  const timers = new Set<NodeJS.Timeout>();
  const state = { paused: false };
  const stream = (res: ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame', 'Cache-Control': 'no-cache' });
    let i = 0;
    const timer = setInterval(() => {
      if (state.paused) return;
      const jpeg = jpegs[i++ % jpegs.length];
      res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      res.write(jpeg);
      res.write('\r\n');
    }, 1000 / o.fps);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  };
  const server: Server = createServer((req, res) => {
    if (req.url === '/video') return stream(res);
    if (req.url === '/secure/video') {
      if (req.headers.authorization === `Basic ${Buffer.from('user:pass').toString('base64')}`) return stream(res);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="camera"' }).end();
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}
